pragma circom 2.2.3;

// A k-of-n committee attestation: K distinct members of a committee, whose public keys are the
// leaves of a Poseidon Merkle tree with root `committeeRoot`, signed `commitment` with
// EdDSA-Poseidon (Baby Jubjub). This proves who signed, not that the block is valid: the
// verifier trusts that at least one of the K signers re-executed the block honestly.

include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "circomlib/circuits/mux1.circom";
include "circomlib/circuits/poseidon.circom";

// Root of the Poseidon Merkle tree holding `leaf` at position `index` (LSB = lowest level).
template MerkleRoot(depth) {
    signal input leaf;
    signal input index;
    signal input siblings[depth];
    signal output root;

    component bits = Num2Bits(depth);
    bits.in <== index;

    signal level[depth + 1];
    level[0] <== leaf;
    component order[depth];
    component hash[depth];
    for (var i = 0; i < depth; i++) {
        // Bit i of the index says whether the running node is the right child at level i.
        order[i] = MultiMux1(2);
        order[i].c[0][0] <== level[i];
        order[i].c[0][1] <== siblings[i];
        order[i].c[1][0] <== siblings[i];
        order[i].c[1][1] <== level[i];
        order[i].s <== bits.out[i];
        hash[i] = Poseidon(2);
        hash[i].inputs[0] <== order[i].out[0];
        hash[i].inputs[1] <== order[i].out[1];
        level[i + 1] <== hash[i].out;
    }
    root <== level[depth];
}

template CommitteeAttestation(k, depth) {
    signal input committeeRoot;
    signal input commitment;

    signal input Ax[k];
    signal input Ay[k];
    signal input R8x[k];
    signal input R8y[k];
    signal input S[k];
    signal input memberIndex[k];
    signal input siblings[k][depth];

    component signature[k];
    component leaf[k];
    component membership[k];
    for (var i = 0; i < k; i++) {
        signature[i] = EdDSAPoseidonVerifier();
        signature[i].enabled <== 1;
        signature[i].Ax <== Ax[i];
        signature[i].Ay <== Ay[i];
        signature[i].R8x <== R8x[i];
        signature[i].R8y <== R8y[i];
        signature[i].S <== S[i];
        signature[i].M <== commitment;

        leaf[i] = Poseidon(2);
        leaf[i].inputs[0] <== Ax[i];
        leaf[i].inputs[1] <== Ay[i];

        membership[i] = MerkleRoot(depth);
        membership[i].leaf <== leaf[i].out;
        membership[i].index <== memberIndex[i];
        for (var j = 0; j < depth; j++) {
            membership[i].siblings[j] <== siblings[i][j];
        }
        membership[i].root === committeeRoot;
    }

    // Strictly increasing positions: the K signers are K distinct members.
    component increasing[k - 1];
    for (var i = 1; i < k; i++) {
        increasing[i - 1] = LessThan(depth);
        increasing[i - 1].in[0] <== memberIndex[i - 1];
        increasing[i - 1].in[1] <== memberIndex[i];
        increasing[i - 1].out === 1;
    }
}
