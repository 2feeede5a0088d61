// A project's card, refetchable on its own: relay-compiler generates ProjectCardRefetchQuery,
// node(id:) with the card's fragment, which a client sends to bring one card up to date.
import { graphql } from "react-relay";

export const projectCard = graphql`
  fragment ProjectCard_project on Project @refetchable(queryName: "ProjectCardRefetchQuery") {
    id
    code
    name
    stage
    budget
    updatedAt
    manager {
      id
      name
    }
    latestStatus {
      id
      overall
      periodEnding
    }
  }
`;
