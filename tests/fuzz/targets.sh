# Sourced by tests/fuzz/run.sh and tests/fuzz/ci.sh (REPO set):
#   fuzz_targets [TARGET...]
# sets the array `targets` to the names given, or to every target in
# tests/fuzz/ (protocol for protocol_fuzz.cpp).
fuzz_targets() {
    targets=("$@")
    [ ${#targets[@]} -gt 0 ] && return
    local f n
    for f in "$REPO"/tests/fuzz/*_fuzz.cpp; do
        n=$(basename "$f" .cpp)
        targets+=("${n%_fuzz}")
    done
}
