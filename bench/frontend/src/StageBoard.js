// A board of one portfolio's projects in some stages (a `filter:`), under a header with the
// viewer, each project with its latest report and who submitted it.
import { graphql } from "react-relay";

export const stageBoardQuery = graphql`
  query StageBoardQuery($portfolio: ID!, $stages: [ProjectStage!], $count: Int!) {
    viewer {
      ...Header_viewer
    }
    projects(first: $count, filter: { portfolioId: $portfolio, stage: $stages }) {
      totalCount
      edges {
        node {
          id
          ...StageBoard_project
        }
      }
    }
  }
`;

export const stageBoardProject = graphql`
  fragment StageBoard_project on Project {
    id
    code
    name
    stage
    updatedAt
    latestStatus {
      id
      overall
      periodEnding
      submittedBy {
        id
        name
      }
    }
  }
`;
