// One programme's row (../../src/ProgrammeRow.js) in PostGraphile's terms.
import { graphql } from "react-relay";

export const programmeRow = graphql`
  fragment ProgrammeRow_programme on Programme {
    nodeId
    name
    vision
    director {
      nodeId
      name
    }
  }
`;
