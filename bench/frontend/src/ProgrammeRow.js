// One programme's row on the portfolio page.
import { graphql } from "react-relay";

export const programmeRow = graphql`
  fragment ProgrammeRow_programme on Programme {
    id
    name
    vision
    director {
      id
      name
    }
  }
`;
