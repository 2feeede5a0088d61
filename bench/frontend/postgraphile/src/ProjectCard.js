// The project card of ../../src/ProjectCard.js in PostGraphile's terms (nodeId, node(nodeId:)).
import { graphql } from "react-relay";

export const projectCard = graphql`
  fragment ProjectCard_project on Project @refetchable(queryName: "ProjectCardRefetchQuery") {
    nodeId
    code
    name
    stage
    budget
    updatedAt
    manager {
      nodeId
      name
    }
    latestStatus {
      nodeId
      overall
      periodEnding
    }
  }
`;
