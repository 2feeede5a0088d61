// The application's header: who is signed in, in which organisation.
import { graphql } from "react-relay";

export const header = graphql`
  fragment Header_viewer on Viewer {
    user {
      id
      name
      email
    }
    organisation {
      id
      name
    }
  }
`;
