// A portfolio's page: its manager, its programmes with their directors, and counts.
import { graphql } from "react-relay";

export const portfolioPageQuery = graphql`
  query PortfolioPageQuery($id: ID!) {
    node(id: $id) {
      id
      __typename
      ... on Portfolio {
        ...PortfolioPage_portfolio @alias
      }
    }
  }
`;

export const portfolioPage = graphql`
  fragment PortfolioPage_portfolio on Portfolio {
    id
    name
    description
    updatedAt
    manager {
      id
      name
      email
    }
    programmes(first: 10) {
      totalCount
      edges {
        node {
          id
          ...ProgrammeRow_programme
        }
      }
    }
    projects {
      totalCount
    }
  }
`;
