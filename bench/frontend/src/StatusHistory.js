// A project's status history: its reports, newest first, a Relay connection with who submitted
// each. "Older reports" is the generated StatusHistoryPaginationQuery.
import { graphql } from "react-relay";

export const statusHistoryQuery = graphql`
  query StatusHistoryQuery($id: ID!) {
    node(id: $id) {
      id
      __typename
      ... on Project {
        ...StatusHistory_project @alias
      }
    }
  }
`;

export const statusHistory = graphql`
  fragment StatusHistory_project on Project
  @refetchable(queryName: "StatusHistoryPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 6 }, cursor: { type: "String" }) {
    id
    code
    name
    statusReports(first: $count, after: $cursor) @connection(key: "StatusHistory_statusReports") {
      edges {
        node {
          id
          periodEnding
          overall
          schedule
          cost
          summary
          submittedAt
          submittedBy {
            id
            name
          }
        }
      }
    }
  }
`;
