// The header (../../src/Header.js) in PostGraphile's terms: the user and their organisation.
import { graphql } from "react-relay";

export const header = graphql`
  fragment Header_viewer on User {
    nodeId
    name
    email
    organisation {
      nodeId
      name
    }
  }
`;
