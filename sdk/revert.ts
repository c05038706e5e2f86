/** The node's wording of revert data (one definition for the node, its dashboard and the SDK). */
export { decodeRevertReason } from "../protocol";
