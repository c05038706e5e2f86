// The process-wide lazy KZG lives in precompiles/ (every Common `genesisForkCommon` makes carries it,
// so EXECUTE's verdict on a call to the point-evaluation precompile does not depend on its caller).
export { KzgSetupError, LazyKzg, SHARED_KZG, loadMicroEthKzg } from "../../precompiles/verify";
export type { KzgLoader } from "../../precompiles/verify";
