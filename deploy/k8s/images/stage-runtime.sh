#!/usr/bin/env bash
# Stages a binary for the distroless runtime image: copies it to DEST/usr/local/bin/ and
# every shared library it links that the runtime lacks to DEST/<the library's directory>,
# so `COPY --from=builder DEST/ /` places each where the dynamic loader looks.
#
#   stage-runtime.sh BINARY DEST
#
# The distroless `cc` image provides glibc and libgcc_s (and the builder uses the same
# Debian release, so versions match); everything else the binary links (today: zlib,
# linked by rdkafka's `libz` feature) is carried over. A library that ldd cannot resolve
# fails the build here instead of at the pod's first start.
set -euo pipefail
binary="$1"
dest="$2"

# glibc's own libraries, the loader, and libgcc_s: present in distroless cc.
provided='^(linux-vdso\.so|libc\.so|libm\.so|libdl\.so|libpthread\.so|librt\.so|libresolv\.so|libgcc_s\.so|ld-linux[-a-z0-9_]*\.so)'

mkdir -p "$dest/usr/local/bin"
cp "$binary" "$dest/usr/local/bin/"

ldd_out="$(ldd "$binary")"
if grep -q 'not found' <<<"$ldd_out"; then
  echo "stage-runtime: $binary links libraries the builder lacks:" >&2
  grep 'not found' <<<"$ldd_out" >&2
  exit 1
fi
while read -r lib _ path _; do
  # ldd lines: "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" or "/lib64/ld-linux... (0x...)"
  [[ -z "$lib" || "$lib" =~ $provided || "${lib##*/}" =~ $provided ]] && continue
  [[ "$path" == /* ]] || continue
  # The real file's directory: on merged-/usr Debian, /lib is a symlink to usr/lib, and a
  # COPY must not replace that symlink with a directory. The file is named by the soname
  # the loader asks for (a symlink in Debian), as a real file.
  real="$(readlink -f "$path")"
  mkdir -p "$dest$(dirname "$real")"
  cp "$real" "$dest$(dirname "$real")/$lib"
  echo "stage-runtime: carrying $lib ($real)"
done <<<"$ldd_out"
