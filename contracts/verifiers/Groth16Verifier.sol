// SPDX-License-Identifier: MIT
pragma solidity 0.8.30;

/// @title IExecutionProofVerifier
/// @notice Verifies execution proofs under one verification key, for EXECUTE's proof mode in
/// Solidity (ProofModeExecute).
interface IExecutionProofVerifier {
    /// @notice keccak256 of the ABI-encoded verification key: what a rollup's proof policy lists.
    /// @return The hash.
    function KEY_HASH() external view returns (bytes32);

    /// @notice Whether `proofData` proves the statement whose public input is `commitment`.
    /// @param proofData The proof, encoded as the prover emits it.
    /// @param commitment The block's commitment reduced into the scalar field.
    /// @return True when the proof verifies; false for any invalid or malformed proof.
    function verify(bytes calldata proofData, uint256 commitment) external view returns (bool);
}

/// @title Groth16Verifier
/// @notice A Groth16 (BN254) verifier for one verification key, fixed at deployment: the Solidity
/// counterpart of precompiles/proofs/groth16.ts for an L1 without EXECUTE.
/// @dev The key is `abi.encode(alpha1, beta2, gamma2, delta2, ic, boundInputs)` (snarkjs
/// coordinate order, precompiles/proofs/codec.ts), whose public inputs are the `boundInputs`
/// followed by the block's commitment. The bound inputs are folded into IC₀ once, here: a proof
/// then costs one scalar multiplication, one addition and one 4-pair pairing check
/// (EIP-196/197 precompiles 0x06, 0x07, 0x08). The key hash is computed from the very bytes the
/// verifier is built from, so a verifier cannot answer for another key than the one it claims.
/// Proof points must be canonical (coordinates below the base field) and not the point at
/// infinity, as the TypeScript verifier requires; the pairing precompile checks that they are on
/// their curves and that B is in G2's prime-order subgroup.
contract Groth16Verifier is IExecutionProofVerifier {
    /// @notice BN254's base field modulus.
    uint256 internal constant P = 21888242871839275222246405745257275088696311157297823662689037894645226208583;

    /// @notice BN254's scalar field modulus: public inputs lie below it.
    uint256 internal constant R = 21888242871839275222246405745257275088548364400416034343698204186575808495617;

    /// @notice Byte length of `abi.encode(uint256[2] a, uint256[2][2] b, uint256[2] c)`.
    uint256 internal constant PROOF_SIZE = 8 * 32;

    /// @dev EIP-196/197 precompiles: G1 addition, G1 scalar multiplication, pairing check.
    uint256 private constant EC_ADD = 0x06;
    uint256 private constant EC_MUL = 0x07;
    uint256 private constant EC_PAIRING = 0x08;
    /// @dev Byte sizes of a pairing check of four (G1, G2) pairs and of the G1 precompiles' inputs.
    uint256 private constant PAIRING_INPUT_SIZE = 24 * 32;
    uint256 private constant MUL_INPUT_SIZE = 3 * 32;
    uint256 private constant ADD_INPUT_SIZE = 4 * 32;

    /// @inheritdoc IExecutionProofVerifier
    bytes32 public immutable KEY_HASH;

    uint256 private immutable ALPHA_X;
    uint256 private immutable ALPHA_Y;
    // G2 points in the precompile's order: x.c1, x.c0, y.c1, y.c0.
    uint256 private immutable BETA_X1;
    uint256 private immutable BETA_X0;
    uint256 private immutable BETA_Y1;
    uint256 private immutable BETA_Y0;
    uint256 private immutable GAMMA_X1;
    uint256 private immutable GAMMA_X0;
    uint256 private immutable GAMMA_Y1;
    uint256 private immutable GAMMA_Y0;
    uint256 private immutable DELTA_X1;
    uint256 private immutable DELTA_X0;
    uint256 private immutable DELTA_Y1;
    uint256 private immutable DELTA_Y0;
    /// @dev IC₀ + Σ boundInputᵢ · ICᵢ₊₁: the part of vk_x the key fixes.
    uint256 private immutable BASE_X;
    uint256 private immutable BASE_Y;
    /// @dev The IC point the commitment multiplies.
    uint256 private immutable COMMITMENT_X;
    uint256 private immutable COMMITMENT_Y;

    /// @notice The key's IC has not exactly one point per bound input, plus the commitment's and IC₀.
    /// @param icLength Points in IC.
    /// @param boundInputs Bound public inputs.
    error KeyInputCountMismatch(uint256 icLength, uint256 boundInputs);

    /// @notice A bound input is not below the scalar field.
    /// @param index Its position.
    /// @param value Its value.
    error BoundInputOutOfField(uint256 index, uint256 value);

    /// @notice An IC point of the key is not a valid G1 point.
    /// @param index Its position in IC.
    error InvalidKeyPoint(uint256 index);

    /// @param verificationKey `abi.encode(alpha1, beta2, gamma2, delta2, ic, boundInputs)`.
    constructor(bytes memory verificationKey) {
        (
            uint256[2] memory alpha1,
            uint256[2][2] memory beta2,
            uint256[2][2] memory gamma2,
            uint256[2][2] memory delta2,
            uint256[2][] memory ic,
            uint256[] memory boundInputs
        ) = abi.decode(verificationKey, (uint256[2], uint256[2][2], uint256[2][2], uint256[2][2], uint256[2][], uint256[]));
        if (ic.length != boundInputs.length + 2) revert KeyInputCountMismatch(ic.length, boundInputs.length);
        uint256[2] memory base = ic[0];
        for (uint256 i; i < boundInputs.length; ++i) {
            if (boundInputs[i] >= R) revert BoundInputOutOfField(i, boundInputs[i]);
            (bool ok, uint256[2] memory term) = _mul(ic[i + 1], boundInputs[i]);
            if (!ok) revert InvalidKeyPoint(i + 1);
            (ok, base) = _add(base, term);
            if (!ok) revert InvalidKeyPoint(0);
        }
        KEY_HASH = keccak256(verificationKey);
        (ALPHA_X, ALPHA_Y) = (alpha1[0], alpha1[1]);
        (BETA_X1, BETA_X0, BETA_Y1, BETA_Y0) = (beta2[0][1], beta2[0][0], beta2[1][1], beta2[1][0]);
        (GAMMA_X1, GAMMA_X0, GAMMA_Y1, GAMMA_Y0) = (gamma2[0][1], gamma2[0][0], gamma2[1][1], gamma2[1][0]);
        (DELTA_X1, DELTA_X0, DELTA_Y1, DELTA_Y0) = (delta2[0][1], delta2[0][0], delta2[1][1], delta2[1][0]);
        (BASE_X, BASE_Y) = (base[0], base[1]);
        uint256[2] memory last = ic[ic.length - 1];
        (COMMITMENT_X, COMMITMENT_Y) = (last[0], last[1]);
    }

    /// @inheritdoc IExecutionProofVerifier
    /// @dev e(-A, B) · e(α, β) · e(vk_x, γ) · e(C, δ) = 1 with vk_x = BASE + commitment · IC_last.
    function verify(bytes calldata proofData, uint256 commitment) external view returns (bool) {
        if (proofData.length != PROOF_SIZE || commitment >= R) return false;
        (uint256[2] memory a, uint256[2][2] memory b, uint256[2] memory c) =
            abi.decode(proofData, (uint256[2], uint256[2][2], uint256[2]));
        if (!_canonicalG1(a) || !_canonicalG1(c)) return false;
        if (b[0][0] >= P || b[0][1] >= P || b[1][0] >= P || b[1][1] >= P) return false;
        if ((b[0][0] | b[0][1] | b[1][0] | b[1][1]) == 0) return false;

        (bool ok, uint256[2] memory term) = _mul([COMMITMENT_X, COMMITMENT_Y], commitment);
        if (!ok) return false;
        uint256[2] memory vkX;
        (ok, vkX) = _add([BASE_X, BASE_Y], term);
        if (!ok) return false;

        uint256[24] memory input = [
            a[0], (P - a[1]) % P, b[0][1], b[0][0], b[1][1], b[1][0],
            ALPHA_X, ALPHA_Y, BETA_X1, BETA_X0, BETA_Y1, BETA_Y0,
            vkX[0], vkX[1], GAMMA_X1, GAMMA_X0, GAMMA_Y1, GAMMA_Y0,
            c[0], c[1], DELTA_X1, DELTA_X0, DELTA_Y1, DELTA_Y0
        ];
        uint256[1] memory out;
        assembly ("memory-safe") {
            ok := staticcall(gas(), EC_PAIRING, input, PAIRING_INPUT_SIZE, out, 32)
        }
        return ok && out[0] == 1;
    }

    /// @dev A G1 point with coordinates below P, other than the point at infinity (0, 0).
    function _canonicalG1(uint256[2] memory p) private pure returns (bool) {
        return p[0] < P && p[1] < P && (p[0] | p[1]) != 0;
    }

    /// @dev s · p on G1 (EIP-196 precompile 0x07); false when p is not a curve point.
    function _mul(uint256[2] memory p, uint256 s) private view returns (bool ok, uint256[2] memory out) {
        uint256[3] memory input = [p[0], p[1], s];
        assembly ("memory-safe") {
            ok := staticcall(gas(), EC_MUL, input, MUL_INPUT_SIZE, out, 64)
        }
    }

    /// @dev p + q on G1 (EIP-196 precompile 0x06); false when either is not a curve point.
    function _add(uint256[2] memory p, uint256[2] memory q) private view returns (bool ok, uint256[2] memory out) {
        uint256[4] memory input = [p[0], p[1], q[0], q[1]];
        assembly ("memory-safe") {
            ok := staticcall(gas(), EC_ADD, input, ADD_INPUT_SIZE, out, 64)
        }
    }
}
