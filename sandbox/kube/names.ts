// apimachinery's util/rand alphabet: what `generateName` suffixes, NodeClaim names and
// `rand.SafeEncodeString` hashes (pod-template-hash) are made of. No vowels and no look-alike
// digits, so generated names never spell words (this is why hashes look like 5c77994ccb).

export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'
