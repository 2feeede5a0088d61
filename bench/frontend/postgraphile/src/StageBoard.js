// The stage board (../../src/StageBoard.js) in PostGraphile's terms: a `condition:` on the
// portfolio's key and one stage (PostGraphile's conditions are equalities), and the signed-in
// user by key, since PostGraphile has no viewer without a JWT set-up.
import { graphql } from "react-relay";

export const stageBoardQuery = graphql`
  query StageBoardQuery($viewer: BigInt!, $portfolio: BigInt!, $stage: String!, $count: Int!) {
    viewer: user(id: $viewer) {
      ...Header_viewer
    }
    projects(
      first: $count
      condition: { portfolioId: $portfolio, stage: $stage }
      orderBy: [CODE_ASC, ID_ASC]
    ) {
      totalCount
      edges {
        node {
          nodeId
          ...StageBoard_project
        }
      }
    }
  }
`;

export const stageBoardProject = graphql`
  fragment StageBoard_project on Project {
    nodeId
    code
    name
    stage
    updatedAt
    latestStatus {
      nodeId
      overall
      periodEnding
      submittedBy {
        nodeId
        name
      }
    }
  }
`;
