// The flat list of the organisation's projects, by code. Its second page is the generated
// ProjectListPaginationQuery with `after:` the first page's endCursor.
import { graphql } from "react-relay";

export const projectListQuery = graphql`
  query ProjectListQuery($count: Int!) {
    ...ProjectList_query @arguments(count: $count)
  }
`;

export const projectList = graphql`
  fragment ProjectList_query on Query
  @refetchable(queryName: "ProjectListPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 50 }, cursor: { type: "String" }) {
    projects(first: $count, after: $cursor) @connection(key: "ProjectList_projects") {
      edges {
        node {
          id
          code
          name
          stage
          budget
          startDate
        }
      }
    }
  }
`;
