// A benefit's measurements (../../src/BenefitMeasurements.js) in PostGraphile's terms: newest
// first, as pmo-graph lists them.
import { graphql } from "react-relay";

export const benefitMeasurementsQuery = graphql`
  query BenefitMeasurementsQuery($id: ID!) {
    node(nodeId: $id) {
      nodeId
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
  @argumentDefinitions(count: { type: "Int", defaultValue: 10 }, cursor: { type: "Cursor" }) {
    nodeId
    name
    measure
    unit
    baseline
    target
    realisation
    measurements: benefitMeasurements(
      first: $count
      after: $cursor
      orderBy: [MEASURED_ON_DESC, ID_DESC]
    ) @connection(key: "BenefitMeasurements_measurements") {
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
