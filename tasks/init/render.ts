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

/**
 * The README's section on an independent challenger, for an optimistic project (none otherwise):
 * the devnet's node challenges, but under `permissioned` it is the only proposer's node, so the
 * rollup is safe only with a watcher apart from it (docs/design/trial-s30.md).
 */
function watchDoc(options: InitOptions): string {
  if (options.mode.kind !== "optimistic") return "";
  const why =
    options.sequencing === "permissioned"
      ? "Under permissioned sequencing only the sequencer proposes: a forged block would come from the one node that would have to challenge it, so the rollup is safe only if someone else watches."
      : "A watcher of your own need not trust that node.";
  return `
## Watch it: an independent challenger

The devnet's node proposes every block with a bond and challenges invalid proposals itself. ${why}
A follower started with \`--challenge\` is that watcher: it re-executes every proposal from the data
the proposal posted on L1 and challenges one EXECUTE would refuse, once a call confirms the
challenge wins. It needs an L1 key of its own (no dev key stands in), holding at least the
costliest challenge at the L1's fee (it says how much at start, and refuses to start with less); on
the devnet, a dev account's key from its banner that you send nothing else from, e.g. account #9's:

\`\`\`sh
NATIVE_ROLLUP_CHALLENGER_KEY=0x… npx native-rollup-node --role follower --challenge \\
  --deployment .devnet/rollup.json --l1-rpc http://127.0.0.1:8545 --port 9546
L2_RPC_URL=http://127.0.0.1:9546 npx hardhat rollup:status   # its challenger: key, proposals pending, challenges won
\`\`\`

Its log has a verdict per proposal (\`L2 block N is valid: EXECUTE would accept it, no challenge\`,
or \`is INVALID: …; challenging it\` and \`challenge WON\`); a won challenge pays it the removed
blocks' bonds. Restarted (even after a \`kill -9\`), it reads L1 again from the first block whose
proposals can still be challenged (less a margin of 32 blocks), and says so at start
(\`reading proposals from L1 block N: …\`): a forged proposal whose window is open, posted while it
was down, is still challenged. The framework's README, "Watch an optimistic rollup", has the rest.
`;
}

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

/**
 * The executor of a rollup that is not optimistic (ProvenRollup's pattern): fixed at deployment,
 * the EXECUTE precompile or, on an L1 without it, a ProofModeExecute with a Groth16 verifier per
 * accepted key, which `rollup:deploy` deploys (docs/design/deploy-resume.md, "The template"). The
 * constructor reads the executor through IVerifierRegistry, not ProofModeExecute itself: importing
 * the verifier's source would compile it, with its Groth16 verifier and RLP libraries, in every
 * compile of the project (≈ a third of solc's work there; docs/design/fast-tests.md, round 30a).
 * An optimistic rollup's challenges re-execute, which only the precompile does: it has none.
 */
const EXECUTOR_IMPORTS = `import {ProofPolicy} from "native-rollup/contracts/rollup/ProofPolicy.sol";
import {IVerifierRegistry} from "native-rollup/contracts/interfaces/IVerifierRegistry.sol";
`;

const EXECUTOR_DECLARATIONS = `    /// @notice Who verifies blocks, fixed at deployment: \`Execute.PRECOMPILE\`, or on an L1 without
    /// EXECUTE a ProofModeExecute (proof mode in Solidity, a Groth16 verifier per accepted key).
    address public immutable EXECUTOR;

    /// @notice The policy lists a key the executor has no verifier for: it could never count.
    /// @param keyHash The key's hash.
    error NoVerifierForKey(bytes32 keyHash);

    /// @notice The executor is not the precompile, and the policy would have it re-execute blocks,
    /// which only the EXECUTE precompile can do.
    /// @param executor The executor without the precompile.
    error ReexecutionUnavailable(address executor);

`;

const EXECUTOR_PARAM_DOC = `    /// @param executor \`Execute.PRECOMPILE\` (0x0101), or a ProofModeExecute holding a verifier for
    /// every accepted key (\`rollup:deploy\` deploys one where the L1 has no EXECUTE).
`;

/** The executor's checks, after the policy is set: a ProofModeExecute can only check proofs. */
const EXECUTOR_CHECKS = `        if (executor != Execute.PRECOMPILE) {
            if (policy.acceptedKeys.length == 0 || policy.allowReexecution) revert ReexecutionUnavailable(executor);
            for (uint256 i; i < policy.acceptedKeys.length; ++i) {
                bytes32 keyHash = policy.acceptedKeys[i];
                if (IVerifierRegistry(executor).verifierOf(keyHash) == address(0)) revert NoVerifierForKey(keyHash);
            }
        }
        EXECUTOR = executor;`;

function contractPieces(options: InitOptions): Record<string, string> {
  if (options.mode.kind === "optimistic") {
    return {
      EXECUTOR_DECLARATIONS: "",
      EXECUTOR_ARG: "",
      EXECUTE_DOC:
        "the EXECUTE precompile re-executes it statelessly from the witness (a challenge's check; optimistic rollups need the precompile).",
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
      IMPORTS: EXECUTOR_IMPORTS,
      BASES: "NativeRollup",
      EXECUTOR_DECLARATIONS,
      EXECUTOR_ARG: "EXECUTOR, ",
      EXECUTE_DOC:
        "the executor (EXECUTE, or ProofModeExecute on another L1) verifies the sequencer's proofs under this rollup's policy.",
      CONSTRUCTOR_DOCS: `    /// @param policy The proofs EXECUTE accepts in place of re-execution: ${k} of ${n} proof types.\n${EXECUTOR_PARAM_DOC}`,
      CONSTRUCTOR_PARAMS: ",\n        ProofPolicy memory policy,\n        address executor",
      BASE_CONSTRUCTORS: "",
      CONSTRUCTOR_BODY: `{\n        _setProofPolicy(policy);\n${EXECUTOR_CHECKS}\n    }`,
      PROOFS_DOC: `${k} of ${n} proofs: EXECUTE accepts a block when ${k} of the ${n} accepted proof types prove it (on the devnet: ${n} attestation committees with Groth16 proofs).`,
      ACCEPT_TITLE: "advances on L1 with a real L2 block that EXECUTE verified on its proofs",
      ACCEPTED_EVENT: "BlockAdvanced",
      MODE_CONFIG: `  // k of n proofs: the devnet runs n attestation committees; a block needs proofs from k of them.\n  proofs: { committees: ${n}, threshold: ${k} },\n`,
    };
  }
  return {
    IMPORTS: EXECUTOR_IMPORTS,
    BASES: "NativeRollup",
    EXECUTOR_DECLARATIONS,
    EXECUTOR_ARG: "EXECUTOR, ",
    EXECUTE_DOC:
      "EXECUTE re-executes it statelessly from the witness or, deployed with a proof policy, the executor (EXECUTE, or ProofModeExecute on another L1) verifies the sequencer's proofs.",
    CONSTRUCTOR_DOCS: `    /// @param policy No keys: every block is re-executed by EXECUTE (the devnet). Keys: proof mode, which
    /// runs on any L1 (\`rollup:deploy --verification-keys\`).
${EXECUTOR_PARAM_DOC}`,
    CONSTRUCTOR_PARAMS: ",\n        ProofPolicy memory policy,\n        address executor",
    BASE_CONSTRUCTORS: "",
    CONSTRUCTOR_BODY: `{\n        if (policy.acceptedKeys.length != 0) _setProofPolicy(policy);\n${EXECUTOR_CHECKS}\n    }`,
    PROOFS_DOC:
      "re-execution: EXECUTE re-executes every block from its witness. Deployed with verification keys, proof mode instead, on any L1: where EXECUTE is missing, a ProofModeExecute checks the proofs in Solidity.",
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
    WATCH_DOC: watchDoc(options),
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
