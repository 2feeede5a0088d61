// The flat list of projects (../../src/ProjectList.js) in PostGraphile's terms, by code.
import { graphql } from "react-relay";

export const projectListQuery = graphql`
  query ProjectListQuery($count: Int!) {
    ...ProjectList_query @arguments(count: $count)
  }
`;

export const projectList = graphql`
  fragment ProjectList_query on Query
  @refetchable(queryName: "ProjectListPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 50 }, cursor: { type: "Cursor" }) {
    projects(first: $count, after: $cursor, orderBy: [CODE_ASC, ID_ASC])
      @connection(key: "ProjectList_projects") {
      edges {
        node {
          nodeId
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
