import type { ExampleRollup } from "./contracts";
import { OPTIMISTIC_ROLLUP_INTERFACE, decodeRollupRevert, revertDataOf } from "./contracts";

/**
 * The contract's answer to "may this account advance now?": one shape per answer, so a reader
 * cannot take a refusal the rule never gave (`provisional`) for the rule's own.
 */
export type AdvanceAuthorization =
  /** The rule lets the account advance now. */
  | { readonly status: "allowed" }
  /** The rule refuses it until L1 time `openAt` (2^256 - 1: never, as `permissioned` answers). */
  | { readonly status: "refused"; readonly openAt: bigint }
  /**
   * An optimistic rollup refused `advance` while blocks are provisional, before asking the rule:
   * not now, and nothing learnt of the rule. `openAt` is NativeRollup's fallback clock
   * (`openSequencingAt`), for a log line, not the rule's answer.
   */
  | { readonly status: "provisional"; readonly openAt: bigint };

/**
 * What an authorization probe's revert says: no revert data at all (the L1 node unreachable, a
 * timeout) and a revert no known ABI explains (a custom rule's own error) are thrown, never read as
 * a "yes". `probe` names the probe in that error.
 */
function probeRevert(error: unknown, probe: string): NonNullable<ReturnType<typeof decodeRollupRevert>> {
  const data = revertDataOf(error);
  if (data === undefined) throw error;
  const decoded = decodeRollupRevert(data);
  if (decoded === undefined)
    throw new Error(`the rollup answered the ${probe} probe with an unknown revert ${data.slice(0, 10)}`);
  return decoded;
}

/**
 * Whether the rollup lets `account` advance now, by the contract's own rule
 * (NativeRollup._authorizeAdvance, which a rollup may override: `fallback` opens to anyone after
 * the sequencer's inactivity period, `based` always, `permissioned` never). It asks the contract
 * itself with a call of `advance` that fails right after the authorization check (an empty parent
 * header is never the head, so nothing is executed): `NotSequencer(caller, openAt)` means "not
 * yet, from L1 time openAt" (`permissioned` answers openAt = 2^256 - 1: never); an optimistic
 * rollup's `ProvisionalBlocksPending` (refused before the rule is asked) is "not now"; another
 * known revert means the check passed (AdvanceAuthorization); no revert data (a transport failure) or data no known ABI
 * explains is thrown, never read as a yes.
 */
export async function sequencingOpensAt(
  rollup: ExampleRollup,
  account: string,
  /** The L1 block asked (latest when absent): a caller reading other views pins them to one block. */
  blockTag?: number,
): Promise<AdvanceAuthorization> {
  try {
    await rollup.advance.staticCall("0x", "0x", "0x", "0x", 0, { from: account, blockTag });
  } catch (error) {
    const decoded = probeRevert(error, "authorization");
    if (decoded.name === "NotSequencer") return { status: "refused", openAt: BigInt(decoded.args[1] as bigint) };
    // OptimisticRollup refuses `advance` while blocks are provisional, before asking the rule: the
    // probe learns nothing then, so the answer is "not now" (the fallback's clock, for the log).
    if (decoded.name === "ProvisionalBlocksPending")
      return { status: "provisional", openAt: (await rollup.openSequencingAt({ blockTag })) as bigint };
  }
  return { status: "allowed" };
}

/**
 * Whether the optimistic rollup lets `account` propose now: OptimisticRollup's `propose` asks the
 * rule (`_authorizeAdvance`) first, even while blocks are provisional, where the `advance` probe
 * of sequencingOpensAt learns nothing. The probe sends no bond, so a call past the rule reverts
 * `IncorrectBond` (or another known error): allowed. `NotSequencer(caller, openAt)`: refused.
 * What a take-over node of an optimistic rollup waits on (docs/design/trial-s30.md).
 */
export async function proposingOpensAt(
  rollup: ExampleRollup,
  account: string,
  blockTag?: number,
): Promise<Exclude<AdvanceAuthorization, { status: "provisional" }>> {
  const data = OPTIMISTIC_ROLLUP_INTERFACE.encodeFunctionData("propose", ["0x", "0x", "0x", 0]);
  const runner = rollup.runner;
  // Without a call the probe would learn nothing, and nothing is never a "yes".
  if (runner?.call === undefined) throw new Error("proposingOpensAt: the rollup's runner cannot make calls");
  try {
    await runner.call({ to: rollup.target, from: account, data, value: 0, blockTag });
  } catch (error) {
    const decoded = probeRevert(error, "proposal");
    if (decoded.name === "NotSequencer") return { status: "refused", openAt: BigInt(decoded.args[1] as bigint) };
  }
  return { status: "allowed" };
}

/** An L1 timestamp beyond this is the rule's "never" (a permissioned rollup answers 2^256 - 1). */
export const MAX_L1_TIME = 2n ** 64n;

/** An L1 timestamp as its Unix seconds and UTC date, or "never" for a rule that never opens. */
export function describeL1Time(seconds: bigint): string {
  if (seconds > MAX_L1_TIME) return "never (the rollup's rule does not let this key advance)";
  return `${seconds} (${new Date(Number(seconds) * 1000).toISOString()})`;
}
