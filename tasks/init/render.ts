// Renders templates/rollup/ for a set of init options: `{{KEY}}` in contents, `__NAME__` in
// file names, `.tmpl` dropped. Policy-dependent pieces (the contract's bases and hooks, the
// sequencing tests) are chosen here, so the written project holds only what applies to it.
import { readFileSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

import type { InitOptions, SequencingPolicy } from "./options";
import { NodeError } from "../../rollup-node/errors";

/** templates/ of the repository, or of the installed package (the same relative place). */
export const TEMPLATES_DIR = path.resolve(__dirname, "..", "..", "templates");

export interface RenderedFile {
  /** Path inside the project, with `/` separators. */
  readonly path: string;
  readonly content: string;
}

/** A template refers to a placeholder the renderer does not define. */
export class TemplateError extends NodeError {
  constructor(message: string) {
    super("TEMPLATE", message, "fix the template or add the placeholder in tasks/init/render.ts");
  }
}

const SEQUENCING_DOC: Record<SequencingPolicy, string> = {
  permissioned: "only the sequencer may advance the rollup.",
  based: "anyone may advance the rollup at any time (based sequencing: L1 orders the blocks).",
  fallback: "the sequencer advances the rollup; anyone may once it has been silent for the inactivity period.",
};

const SEQUENCING_HOOK: Record<SequencingPolicy, string> = {
  permissioned: `    /// @notice Permissioned: only the sequencer may advance, however long it is silent (no fallback).
    /// @param submitter The caller of \`advance\`.
    function _authorizeAdvance(address submitter) internal view override {
        if (submitter != SEQUENCER) revert NotSequencer(submitter, type(uint256).max);
    }`,
  based: `    /// @notice Based: anyone may advance at any time. EXECUTE verifies every block and \`advance\`
    /// accepts only a child of the head, so L1 orders competing blocks (the first one mined wins).
    function _authorizeAdvance(address) internal pure override {}`,
  fallback: `    /// @notice Permissioned with a permissionless fallback: the sequencer may always advance;
    /// anyone else once the sequencer has not advanced for \`SEQUENCER_INACTIVITY_PERIOD\` seconds.
    /// @param submitter The caller of \`advance\`.
    function _authorizeAdvance(address submitter) internal view override {
        if (submitter == SEQUENCER) return;
        uint256 openAt = openSequencingAt();
        if (block.timestamp < openAt) revert NotSequencer(submitter, openAt);
    }`,
};

function contractPieces(options: InitOptions): Record<string, string> {
  if (options.mode.kind === "optimistic") {
    return {
      IMPORTS: `import {OptimisticRollup} from "native-rollup/contracts/rollup/OptimisticRollup.sol";\n`,
      BASES: "OptimisticRollup",
      CONSTRUCTOR_DOCS: "    /// @param optimistic Challenge window and proposal bond of proposed blocks.\n",
      CONSTRUCTOR_PARAMS: ",\n        OptimisticConfig memory optimistic",
      BASE_CONSTRUCTORS: " OptimisticRollup(optimistic)",
      CONSTRUCTOR_BODY: "{}",
      PROOFS_DOC:
        "optimistic: blocks are proposed with a bond and final after the challenge window unless a challenge (EXECUTE re-executing the block) shows them invalid.",
      ACCEPT_TITLE:
        "finalizes on L1 a real L2 block the node proposed with a bond, once its challenge window has passed",
      ACCEPTED_EVENT: "BlockFinalized",
      MODE_CONFIG: `  // Proposed blocks are final after the challenge window (s) unless challenged; each locks the bond (ETH).\n  optimistic: { challengeWindow: 10, proposalBond: "0.1" },\n`,
    };
  }
  if (options.mode.kind === "k-of-n") {
    const { k, n } = options.mode;
    return {
      IMPORTS: `import {ProofPolicy} from "native-rollup/contracts/rollup/ProofPolicy.sol";\n`,
      BASES: "NativeRollup",
      CONSTRUCTOR_DOCS: `    /// @param policy The proofs EXECUTE accepts in place of re-execution: ${k} of ${n} proof types.\n`,
      CONSTRUCTOR_PARAMS: ",\n        ProofPolicy memory policy",
      BASE_CONSTRUCTORS: "",
      CONSTRUCTOR_BODY: "{\n        _setProofPolicy(policy);\n    }",
      PROOFS_DOC: `${k} of ${n} proofs: EXECUTE accepts a block when ${k} of the ${n} accepted proof types prove it (on the devnet: ${n} attestation committees with Groth16 proofs).`,
      ACCEPT_TITLE: "advances on L1 with a real L2 block that EXECUTE verified on its proofs",
      ACCEPTED_EVENT: "BlockAdvanced",
      MODE_CONFIG: `  // k of n proofs: the devnet runs n attestation committees; a block needs proofs from k of them.\n  proofs: { committees: ${n}, threshold: ${k} },\n`,
    };
  }
  return {
    IMPORTS: "",
    BASES: "NativeRollup",
    CONSTRUCTOR_DOCS: "",
    CONSTRUCTOR_PARAMS: "",
    BASE_CONSTRUCTORS: "",
    CONSTRUCTOR_BODY: "{}",
    PROOFS_DOC: "re-execution: EXECUTE re-executes every block from its witness.",
    ACCEPT_TITLE: "advances on L1 with a real L2 block that EXECUTE verified",
    ACCEPTED_EVENT: "BlockAdvanced",
    MODE_CONFIG: "",
  };
}

/** Every placeholder of the templates, for these options. */
export function placeholders(
  options: InitOptions,
  frameworkVersion: string,
  templatesDir = TEMPLATES_DIR,
): Record<string, string> {
  return {
    NAME: options.name,
    PROJECT: options.project,
    CHAIN_ID: options.chainId.toString(),
    BLOCK_TIME_MS: String(options.blockTimeMs),
    GAS_LIMIT: options.gasLimit.toString(),
    SEQUENCING: options.sequencing,
    SEQUENCING_DOC: SEQUENCING_DOC[options.sequencing],
    SEQUENCING_HOOK: SEQUENCING_HOOK[options.sequencing],
    SEQUENCING_TESTS: readFileSync(
      path.join(templatesDir, "parts", `sequencing-${options.sequencing}.ts.part`),
      "utf8",
    ),
    FRAMEWORK_VERSION: frameworkVersion,
    ...contractPieces(options),
  };
}

/** Replaces every `{{KEY}}`; an unknown key is an error, not a silent blank. */
export function fill(text: string, values: Readonly<Record<string, string>>, where: string): string {
  return text.replace(/\{\{([A-Z_]+)\}\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new TemplateError(`${where} uses {{${key}}}, which has no value`);
    return value;
  });
}

/** The rendered files of templates/rollup/. */
export function renderTemplate(
  options: InitOptions,
  frameworkVersion: string,
  templatesDir = TEMPLATES_DIR,
): RenderedFile[] {
  const values = placeholders(options, frameworkVersion, templatesDir);
  const root = path.join(templatesDir, "rollup");
  const files: RenderedFile[] = [];
  const walk = (relative: string): void => {
    for (const entry of readdirSync(path.join(root, relative)).sort()) {
      const rel = relative === "" ? entry : `${relative}/${entry}`;
      if (statSync(path.join(root, rel)).isDirectory()) walk(rel);
      else if (rel.endsWith(".tmpl")) {
        files.push({
          path: rel.slice(0, -".tmpl".length).replace(/__NAME__/g, options.name),
          content: fill(readFileSync(path.join(root, rel), "utf8"), values, rel),
        });
      }
    }
  };
  walk("");
  return files;
}
