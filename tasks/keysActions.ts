// The action of `rollup:verification-keys` (defined in ./node.ts): the file `rollup:deploy
// --verification-keys` reads, computed from the circuit the framework ships (circuits/build) and
// the public keys of each committee's running attesters. Loaded when the task runs.
import { writeFile } from "node:fs/promises";
import path from "node:path";

import { hexlify, keccak256 } from "ethers";

import { plural } from "../rollup-node/logger";
import { attesterIntroduction } from "../rollup-node/provers/attesterPool";
import {
  COMMITTEE_CIRCUIT,
  Committee,
  bundledCircuitArtifacts,
  committeeVerificationKey,
  loadBabyJub,
} from "../rollup-node/provers/committee";
import { RollupTaskError } from "./rollupContext";

/** How long one attester may take to say who it is. */
const ATTESTER_INFO_TIMEOUT_MS = 10_000;

/** `URL,URL,URL;URL,…`: the committees, each its members' URLs in member order. */
export function parseCommittees(spec: string): string[][] {
  const committees = spec.split(";").map((c) =>
    c
      .split(",")
      .map((u) => u.trim())
      .filter((u) => u !== ""),
  );
  for (const [i, urls] of committees.entries()) {
    const bad = urls.find((u) => !/^https?:\/\//.test(u));
    if (urls.length === 0 || bad !== undefined)
      throw new RollupTaskError(
        "BAD_ATTESTERS",
        urls.length === 0 ? `committee #${i + 1} of --attesters lists no attester` : `${bad} is not an http(s) URL`,
        "pass --attesters http://host:port,http://host:port,…; separate committees with ';'",
      );
  }
  return committees;
}

/**
 * An attester's Baby Jubjub public key, asked over HTTP (`GET /`) as the node asks it: one that
 * does not answer yet is waited for up to `waitMs` (--attester-wait, the node's option and default),
 * since attesters started at the same time as this task take seconds to listen.
 */
async function attesterPublicKey(url: string, memberIndex: number, waitMs: number): Promise<readonly [bigint, bigint]> {
  const info = await attesterIntroduction({ url }, memberIndex, {
    timeoutMs: ATTESTER_INFO_TIMEOUT_MS,
    waitMs,
    onWait: (message) => console.log(message),
  });
  return [BigInt(info.publicKey[0]), BigInt(info.publicKey[1])];
}

export async function verificationKeys(args: { attesters: string; out: string; attesterWait: number }): Promise<void> {
  if (!Number.isInteger(args.attesterWait) || args.attesterWait < 0)
    throw new RollupTaskError(
      "INVALID_INPUT",
      `--attester-wait ${args.attesterWait} is not a number of milliseconds`,
      "pass e.g. --attester-wait 60000, or 0 to ask each attester once",
    );
  const committees = parseCommittees(args.attesters);
  const babyJub = await loadBabyJub();
  const artifacts = bundledCircuitArtifacts();
  const keys: string[] = [];
  for (const [i, urls] of committees.entries()) {
    const publicKeys = await Promise.all(urls.map((url, member) => attesterPublicKey(url, member, args.attesterWait)));
    const key = hexlify(committeeVerificationKey(artifacts, Committee.fromPublicKeys(babyJub, publicKeys)));
    keys.push(key);
    console.log(
      `committee #${i + 1} (${plural(urls.length, "attester")}, ${plural(COMMITTEE_CIRCUIT.signatures, "signature")} per proof): key hash ${keccak256(key)}`,
    );
  }
  const out = path.resolve(args.out);
  await writeFile(out, `${JSON.stringify(keys, null, 2)}\n`);
  console.log(
    `${plural(keys.length, "verification key")} written to ${out}: rollup:deploy --verification-keys ${args.out}`,
  );
}
