// A portfolio's page (../../src/PortfolioPage.js) in PostGraphile's terms.
import { graphql } from "react-relay";

export const portfolioPageQuery = graphql`
  query PortfolioPageQuery($id: ID!) {
    node(nodeId: $id) {
      nodeId
      __typename
      ... on Portfolio {
        ...PortfolioPage_portfolio @alias
      }
    }
  }
`;

export const portfolioPage = graphql`
  fragment PortfolioPage_portfolio on Portfolio {
    nodeId
    name
    description
    updatedAt
    manager {
      nodeId
      name
      email
    }
    programmes(first: 10, orderBy: [NAME_ASC, ID_ASC]) {
      totalCount
      edges {
        node {
          nodeId
          ...ProgrammeRow_programme
        }
      }
    }
    projects {
      totalCount
    }
  }
`;
