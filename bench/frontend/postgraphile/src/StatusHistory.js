// A project's status history (../../src/StatusHistory.js) in PostGraphile's terms: newest first.
import { graphql } from "react-relay";

export const statusHistoryQuery = graphql`
  query StatusHistoryQuery($id: ID!) {
    node(nodeId: $id) {
      nodeId
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
  @argumentDefinitions(count: { type: "Int", defaultValue: 6 }, cursor: { type: "Cursor" }) {
    nodeId
    code
    name
    statusReports(first: $count, after: $cursor, orderBy: [PERIOD_ENDING_DESC, ID_DESC])
      @connection(key: "StatusHistory_statusReports") {
      edges {
        node {
          nodeId
          periodEnding
          overall
          schedule
          cost
          summary
          submittedAt
          submittedBy {
            nodeId
            name
          }
        }
      }
    }
  }
`;
