/**
 * The management API, in Gavel's terms: the only way into this folder, and the only place in the API
 * that imports the AWS SDK (sdk-boundary.spec.ts keeps it so).
 */
export {
  ManagementApiClient,
  type LiveConnection,
  type ManagementApiOptions,
  type ManagementCallObserver,
  type ManagementOperation,
} from './management-api.client.js';
export type { PostOutcome } from './management-api.errors.js';
