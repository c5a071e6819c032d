#!/usr/bin/env bash
# Builds vccheck's container image on this machine from Debian's packages, in one command:
#   deploy/image/build.sh
# Result: the podman image localhost/vccheck:VERSION (VERSION from the jar's --version) and target/vccheck-image.tar,
# a docker-format archive naming the image vccheck:VERSION (docker.io/library/vccheck:VERSION, the name Kubernetes
# resolves `image: vccheck:VERSION` to), for `kind load image-archive`, `k3s ctr images import` or `docker load`.
#
# Needs root and Debian's podman, runc and mmdebstrap (apt-get install podman runc mmdebstrap); reaches Debian's
# mirror once to make the base (later runs reuse it, see below). Builds target/vccheck.jar first if it is missing.
#
# Steps: (1) mmdebstrap makes a bookworm root file system with OpenJDK 17's JRE; the tarball is cached under
# $VCCHECK_IMAGE_CACHE (default ~/.cache/vccheck-image) keyed by the package list, and made afresh after
# $VCCHECK_IMAGE_MAX_AGE_DAYS (default 7) so Debian's security updates get in; (2) podman imports it once per
# tarball as localhost/vccheck-base:<checksum>; (3) podman builds deploy/image/Containerfile on top, with the jar;
# (4) podman saves the archive; images of earlier builds and bases are removed.
#
# This machine's container settings (found by trying): runc as the runtime (crun refuses the mixed cgroup v1/v2
# set-up), cgroupfs as the cgroup manager and a file for events (no systemd here), and explicit limits for open
# files and processes (podman's defaults are refused). To run the image with the same settings:
#   podman $(deploy/image/build.sh --print-podman-args) run $(deploy/image/build.sh --print-run-args) --rm localhost/vccheck:VERSION --version
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

podman_global=(--runtime runc --cgroup-manager cgroupfs --events-backend file)
podman_limits=(--ulimit nofile=20000:20000 --ulimit nproc=32768:32768)
case "${1:-}" in
  --print-podman-args) echo "${podman_global[*]}"; exit 0 ;;
  --print-run-args) echo "${podman_limits[*]}"; exit 0 ;;
  "") ;;
  *) echo "usage: deploy/image/build.sh [--print-podman-args | --print-run-args]" >&2; exit 2 ;;
esac

suite=bookworm
variant=apt
packages=openjdk-17-jre-headless,ca-certificates
arch="$(dpkg --print-architecture 2>/dev/null || echo amd64)"

for tool in podman runc mmdebstrap; do
  command -v "$tool" > /dev/null 2>&1 || { echo "build.sh: $tool is missing: apt-get install podman runc mmdebstrap" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "build.sh: run as root (mmdebstrap and podman's image store here)" >&2; exit 2; }
pm() { podman "${podman_global[@]}" "$@"; }
say() { echo "build.sh: $*" >&2; }
start=$SECONDS

jar="$repo/target/vccheck.jar"
if [ ! -f "$jar" ]; then
  say "building $jar ..."
  (cd "$repo" && mvn -B -q -DskipTests package >&2)
fi
version="$(java -jar "$jar" --version | sed -n 's/^vccheck //p')"
[ -n "$version" ] || { say "cannot read the version from $jar"; exit 1; }

# (1) The base root file system, cached by what goes into it: the suite, the architecture and mmdebstrap's options.
# Documentation, manual pages and translations are left out (nothing in the image reads them); OpenJDK's
# post-installation script fails unless the directory of the java(1) page exists, so it is made first.
mm_opts=(--format=tar --variant="$variant" --architectures="$arch" --include="$packages"
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
  --setup-hook='mkdir -p "$1"/usr/share/man/man1')
key="$(printf '%s\n' "$suite" "${mm_opts[@]}" | sha256sum | cut -c1-16)"
cache="${VCCHECK_IMAGE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vccheck-image}"
rootfs="$cache/rootfs-$key.tar"
mkdir -p "$cache"
if [ -f "$rootfs" ] && [ -f "$rootfs.sha256" ] && [ -n "$(find "$rootfs" -mtime -"${VCCHECK_IMAGE_MAX_AGE_DAYS:-7}")" ]; then
  say "base: $rootfs (cached)"
else
  say "base: mmdebstrap $suite with $packages -> $rootfs (a few minutes) ..."
  rm -rf "$cache"/rootfs-*
  mmdebstrap "${mm_opts[@]}" "$suite" "$cache/rootfs-$key.$$.tmp.tar" >&2
  sha256sum "$cache/rootfs-$key.$$.tmp.tar" | cut -c1-64 > "$rootfs.sha256"
  mv -f "$cache/rootfs-$key.$$.tmp.tar" "$rootfs"
fi

# (2) The base image, imported once per tarball.
base="localhost/vccheck-base:$(cut -c1-16 "$rootfs.sha256")"
if pm image exists "$base"; then
  say "base image: $base (present)"
else
  say "base image: podman import -> $base ..."
  pm import --quiet "$rootfs" "$base" > /dev/null
fi

# (3) The image: the Containerfile with only the jar as its context.
ctx="$repo/target/image-context"
rm -rf "$ctx" && mkdir -p "$ctx"
cp "$jar" "$ctx/vccheck.jar"
image="localhost/vccheck:$version"
previous="$(pm image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)"
say "image: $image ..."
# --layers=false: one layer on top of the base and no intermediate images left behind (the jar differs every build).
pm build --quiet --layers=false "${podman_limits[@]}" --build-arg BASE="$base" --label org.opencontainers.image.version="$version" \
  --label org.opencontainers.image.title=vccheck -f "$here/Containerfile" -t "$image" "$ctx" > /dev/null
rm -rf "$ctx"
# The image this one replaces under the same name, so repeated builds do not pile up (kept if a container uses it).
if [ -n "$previous" ] && [ "$previous" != "$(pm image inspect --format '{{.Id}}' "$image")" ]; then
  pm rmi "$previous" > /dev/null 2>&1 || true
fi
# Bases of earlier tarballs (Debian updates) too, now that the image on them is gone.
for old in $(pm images --format '{{.Repository}}:{{.Tag}}' localhost/vccheck-base | grep -vxF "$base" || true); do
  pm rmi "$old" > /dev/null 2>&1 || true
done

# (4) The archive, under the name a cluster resolves `image: vccheck:VERSION` to.
archive="$repo/target/vccheck-image.tar"
pm tag "$image" "docker.io/library/vccheck:$version"
rm -f "$archive"
pm save --quiet --format docker-archive -o "$archive" "docker.io/library/vccheck:$version"
pm rmi "docker.io/library/vccheck:$version" > /dev/null
say "done in $((SECONDS - start)) s: $image and $archive ($(du -m "$archive" | cut -f1) MB)"
echo "$image"
