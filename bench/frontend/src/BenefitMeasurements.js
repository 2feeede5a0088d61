// A benefit's measurements (the pmo tier), paginated: the first page and the generated
// BenefitMeasurementsPaginationQuery for the next.
import { graphql } from "react-relay";

export const benefitMeasurementsQuery = graphql`
  query BenefitMeasurementsQuery($id: ID!) {
    node(id: $id) {
      id
      __typename
      ... on Benefit {
        ...BenefitMeasurements_benefit @alias
      }
    }
  }
`;

export const benefitMeasurements = graphql`
  fragment BenefitMeasurements_benefit on Benefit
  @refetchable(queryName: "BenefitMeasurementsPaginationQuery")
  @argumentDefinitions(count: { type: "Int", defaultValue: 10 }, cursor: { type: "String" }) {
    id
    name
    measure
    unit
    baseline
    target
    realisation
    measurements(first: $count, after: $cursor)
      @connection(key: "BenefitMeasurements_measurements") {
      edges {
        node {
          measuredOn
          value
          note
        }
      }
    }
  }
`;
