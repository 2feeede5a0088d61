// A portfolio's projects page (../../src/PortfolioProjects.js) in PostGraphile's terms: its
// Relay connection, ordered by code as pmo-graph orders it.
import { graphql } from "react-relay";

export const portfolioProjectsQuery = graphql`
  query PortfolioProjectsQuery($id: ID!, $count: Int!) {
    node(nodeId: $id) {
      nodeId
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
  @argumentDefinitions(count: { type: "Int", defaultValue: 20 }, cursor: { type: "Cursor" }) {
    nodeId
    projects(first: $count, after: $cursor, orderBy: [CODE_ASC, ID_ASC])
      @connection(key: "PortfolioProjects_projects") {
      totalCount
      edges {
        node {
          nodeId
          ...ProjectCard_project
        }
      }
    }
  }
`;
