import type { Common } from "@ethereumjs/common";
import { type TypedTransaction, createTxFromRLP, paramsTx } from "@ethereumjs/tx";

/** The parts of a `Common` a transaction's parameter cache is built from (EthereumJS 10.1.3: `_buildParamsCache`). */
interface ParamsView {
  readonly _params: Record<string, Record<string, unknown> | null | undefined>;
}

/** What a prepared copy was built from: when any of it changes, the copy is built again. */
interface Prepared {
  readonly common: Common;
  readonly hardfork: string;
  readonly eips: readonly number[];
  readonly params: ParamsView["_params"];
  /** Every EIP, parameter name and value of `params` in order (`paramsSnapshot`). */
  readonly snapshot: readonly unknown[];
}

/** Per chain Common, its prepared copy for decoding (a WeakMap: a closed chain's Common is not held). */
const preparedCopies = new WeakMap<Common, Prepared>();

/**
 * Every EIP of `_params`, then each of its parameters' names and values, in order: what a prepared
 * copy's parameter cache was built from. The library's constructors merge their own fixed parameter
 * sets into the `_params` all copies of a Common share (`paramsTx`, `paramsBlock`, `paramsVM`,
 * `paramsEVM`): a first merge adds entries or keys, a later one writes the same values again (each
 * entry a new object: entries are compared by their contents, not their identity). A value that
 * changed while the number of parameters stayed (a fork-scoped value overrides the EIPs', paramsTx's
 * too) made a copy keyed on the count alone stale (attack-review-s29.md, finding 2).
 */
function paramsSnapshot(params: ParamsView["_params"]): unknown[] {
  const snapshot: unknown[] = [];
  for (const eip in params) {
    const entry = params[eip];
    snapshot.push(eip);
    if (entry === null || entry === undefined) snapshot.push(entry);
    else for (const name in entry) snapshot.push(name, entry[name]);
  }
  return snapshot;
}

/** Whether `params` holds exactly `snapshot` (`paramsSnapshot`), read without allocating. */
function holdsSnapshot(params: ParamsView["_params"], snapshot: readonly unknown[]): boolean {
  let i = 0;
  for (const eip in params) {
    const entry = params[eip];
    if (snapshot[i++] !== eip) return false;
    if (entry === null || entry === undefined) {
      if (snapshot[i++] !== entry) return false;
      continue;
    }
    for (const name in entry) if (snapshot[i++] !== name || snapshot[i++] !== entry[name]) return false;
  }
  return i === snapshot.length;
}

/**
 * `common.copy()` with `paramsTx` merged, what every transaction constructor makes first, made once
 * while the Common's fork, EIPs and parameters stay what they were.
 */
function preparedCopyOf(common: Common): Common {
  const params = (common as unknown as ParamsView)._params;
  const known = preparedCopies.get(common);
  if (
    known !== undefined &&
    known.hardfork === common.hardfork() &&
    known.eips === common.eips() &&
    known.params === params &&
    holdsSnapshot(params, known.snapshot)
  )
    return known.common;
  const copy = common.copy();
  copy.updateParams(paramsTx);
  // After the merge: merging paramsTx may itself have added keys to the shared `_params`.
  preparedCopies.set(common, {
    common: copy,
    hardfork: common.hardfork(),
    eips: common.eips(),
    params,
    snapshot: paramsSnapshot(params),
  });
  return copy;
}

/**
 * `createTxFromRLP(raw, { common, freeze: false })` without the per-transaction parameter merge.
 *
 * Every transaction constructor starts with `tx.common = opts.common.copy()` and
 * `tx.common.updateParams(paramsTx)`: a JSON round trip of every entry of `paramsTx` into the
 * `_params` object all copies share, then a rebuild of the copy's whole parameter cache. On the
 * admission path that was 6.2 % of the node's busy thread at the capacity configuration
 * (docs/design/l2-throughput.md, stop 28). Here the merge is made once on a prepared copy of the
 * chain's Common (`preparedCopyOf`), and each constructor's `copy()` gets a shallow copy of it (what
 * `Common.copy` makes: the same `_params`, fork, EIPs and built cache, its own event emitter), its
 * `updateParams(paramsTx)` then being the merge already made. Why the transaction equals upstream's:
 *
 * - upstream's copy shares `_params` with the chain's Common, and its merge of `paramsTx` writes the
 *   same values a first merge wrote: the prepared copy's cache is built from the same `_params`,
 *   fork and EIPs, so it holds the same parameters;
 * - the prepared copy is built again when the chain's fork, its EIPs, its `_params` object or any
 *   EIP, name or value in it changed (a fork schedule's next block, a constructor's first merge of
 *   its own parameter set, a value set again); the node merges no parameters of its own;
 * - each transaction has its own Common object, as upstream: `runTx`'s `setHardfork` on one (a
 *   rebuild of that object's cache into a new object) changes no other transaction's;
 * - the options the transaction records (`txOptions`) are the object passed, given back the chain's
 *   Common once the constructor is done: `{ common, freeze: false }`, as upstream's.
 *
 * The differential test (test/rollup-node/l2/txCommon.test.ts) decodes legacy, 2930, 1559 and 7702
 * transactions and refused encodings both ways.
 */
export function createTxWithPreparedCommon(raw: Uint8Array, common: Common): TypedTransaction {
  const prepared = preparedCopyOf(common);
  const mergedAlready = (params: unknown): void => {
    if (params !== paramsTx) throw new Error("a transaction constructor merged parameters other than paramsTx");
  };
  // Own and non-enumerable, and removed below: the transaction's Common is left a plain copy.
  const made: Common[] = [];
  const copyOfPrepared = (): Common => {
    const copy = prepared.copy();
    Object.defineProperty(copy, "updateParams", { configurable: true, enumerable: false, value: mergedAlready });
    made.push(copy);
    return copy;
  };
  const handle = Object.create(prepared, {
    copy: { configurable: true, enumerable: false, value: copyOfPrepared },
  }) as Common;
  const options: { common: Common; freeze: false } = { common: handle, freeze: false };
  try {
    return createTxFromRLP(raw, options);
  } finally {
    for (const copy of made) delete (copy as Partial<Pick<Common, "updateParams">>).updateParams;
    options.common = common;
  }
}
