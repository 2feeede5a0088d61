// A portfolio's projects page: a Relay connection of project cards. The first page is
// PortfolioProjectsQuery; "load more" is the generated PortfolioProjectsPaginationQuery,
// node(id:) with `after:` the first page's endCursor.
import { graphql } from "react-relay";

export const portfolioProjectsQuery = graphql`
  query PortfolioProjectsQuery($id: ID!, $count: Int!) {
    node(id: $id) {
      id
      __typename
      ... on Portfolio {
        name
        ...PortfolioProjects_portfolio @arguments(count: $count) @alias
      }
    }
  }
`;

export const portfolioProjects = graphql`
  fragment PortfolioProjects_portfolio on Portfolio
  @refetchable(queryName: "PortfolioProjectsPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 20 }, cursor: { type: "String" }) {
    id
    projects(first: $count, after: $cursor) @connection(key: "PortfolioProjects_projects") {
      totalCount
      edges {
        node {
          id
          ...ProjectCard_project
        }
      }
    }
  }
`;
