// Does this L1 have EXECUTE? Asked by `rollup:deploy` before it spends anything: a rollup that
// re-executes (or whose challenges re-execute) on an L1 without the precompile can never accept a
// block, and its node would pay for reverting transactions (docs/design/any-l1.md).
import type { Provider } from "ethers";

import { EXECUTE_ADDRESS, ExecuteErrorCode } from "../precompiles/abi";
import { EXECUTE_ERROR_INTERFACE, revertDataOf } from "../protocol";
import { NodeError } from "../rollup-node/errors";

/** Gas for the probe call: EXECUTE's base charge and then some (it refuses empty input at once). */
const PROBE_GAS = 1_000_000n;

/** What the L1 answered at 0x…0101 to an input only EXECUTE refuses the way EXECUTE does. */
export interface ExecuteProbe {
  readonly available: boolean;
  /** One line saying what was seen, for the refusal message. */
  readonly evidence: string;
}

/** The L1 could not be asked (no answer): nothing is deployed on a guess. */
export class L1ProbeError extends NodeError {}

/**
 * Calls 0x…0101 with an empty input. EXECUTE refuses it with `ExecuteInvalid(MalformedInput=1, …)`;
 * an address without the precompile returns success with no data (a call to an empty account), and
 * anything else there answers otherwise. Only the first counts as EXECUTE.
 */
export async function probeExecute(provider: Provider): Promise<ExecuteProbe> {
  let answer: string;
  try {
    answer = await provider.call({ to: EXECUTE_ADDRESS, data: "0x", gasLimit: PROBE_GAS });
  } catch (error) {
    const data = revertDataOf(error);
    if (data === undefined) {
      const text = error instanceof Error ? error.message.split("\n")[0] : String(error);
      if (/revert/i.test(text))
        return {
          available: false,
          evidence: `a call to ${EXECUTE_ADDRESS} reverted without EXECUTE's error (${text.slice(0, 120)})`,
        };
      throw new L1ProbeError(
        "L1_UNREACHABLE",
        `could not ask the L1 whether it has EXECUTE: ${text.slice(0, 200)}`,
        "check --l1-rpc / the network's url; nothing was deployed",
      );
    }
    const parsed = EXECUTE_ERROR_INTERFACE.parseError(data);
    if (parsed !== null && Number(parsed.args[0]) === ExecuteErrorCode.MalformedInput) {
      return {
        available: true,
        evidence: `${EXECUTE_ADDRESS} answered ExecuteInvalid(MalformedInput) to an empty input, as EXECUTE does`,
      };
    }
    return {
      available: false,
      evidence: `${EXECUTE_ADDRESS} reverted with data that is not EXECUTE's (${data.slice(0, 74)})`,
    };
  }
  return {
    available: false,
    evidence:
      answer === "0x"
        ? `a call to ${EXECUTE_ADDRESS} succeeded with no data: there is no precompile there`
        : `${EXECUTE_ADDRESS} returned ${answer.slice(0, 74)}, not EXECUTE's refusal of an empty input`,
  };
}

/** What a deployment asks of the L1, before the probe picks how proofs are checked. */
export type RequestedMode = "re-execution" | "optimistic" | "proofs";

/** The L1 cannot verify the mode asked for: nothing was sent. */
export class UnverifiableModeError extends NodeError {
  constructor(
    readonly mode: RequestedMode,
    evidence: string,
  ) {
    super(
      "L1_CANNOT_VERIFY",
      `refusing to deploy a ${mode === "optimistic" ? "optimistic rollup (its challenges re-execute with EXECUTE)" : "re-execution rollup (EXECUTE re-executes each block)"}: this L1 has no EXECUTE precompile at ${EXECUTE_ADDRESS} (${evidence}); nothing was sent`,
      "no public L1 has EXECUTE yet (EIP-8079 is a draft). What works here is proof mode with on-chain verifiers: pass --verification-keys FILE (the committees' keys, from rollup:verification-keys) [--threshold K]; rollup:deploy then deploys a Groth16 verifier per key and the rollup contract (the config's own when its constructor takes an executor, else ProvenRollup), which checks the proofs through them in Solidity",
    );
  }
}

/**
 * Whether proofs are checked by EXECUTE or by Solidity verifiers on this L1, or why the mode
 * cannot run here. Re-execution and optimistic challenges need EXECUTE itself; proof mode works
 * on any L1, with verifiers where EXECUTE is missing (or when `forceVerifiers`).
 */
export function verificationFor(
  mode: RequestedMode,
  probe: ExecuteProbe,
  forceVerifiers = false,
): "precompile" | "verifiers" {
  if (mode !== "proofs") {
    if (!probe.available) throw new UnverifiableModeError(mode, probe.evidence);
    return "precompile";
  }
  return probe.available && !forceVerifiers ? "precompile" : "verifiers";
}
