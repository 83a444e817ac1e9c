#!/bin/sh
# Puts Fashion-MNIST (IDX, gzip) into $DATASETS_DIR/fashion-mnist/ for the trainers and evaluators, and checks it.
# Used by docker-compose.yml (service `datasets`) and on Kubernetes (Job `datasets` and the trainers' and
# evaluators' init container, which runs it with --check).
#
#   fetch-datasets.sh          copy from $SOURCE_DIR, else download from $FASHION_MNIST_URL; verify
#   fetch-datasets.sh --check  only verify; exit 1 and name what is missing or damaged
#
# DATASETS_DIR       target folder (default /datasets)
# SOURCE_DIR         a folder holding the four .gz files, e.g. Debian's /usr/share/datasets/fashion-mnist
#                    (package dataset-fashion-mnist); tried first
# FASHION_MNIST_URL  where to download from (default: the dataset's publisher, Zalando Research)
#
# The checksums are of the decompressed IDX files, so any faithful gzip of the data passes.
set -eu
DATASETS_DIR=${DATASETS_DIR:-/datasets}
SOURCE_DIR=${SOURCE_DIR:-}
FASHION_MNIST_URL=${FASHION_MNIST_URL:-http://fashion-mnist.s3-website.eu-central-1.amazonaws.com}
target="$DATASETS_DIR/fashion-mnist"

expected() {
    case "$1" in
        train-images-idx3-ubyte.gz) echo c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888 ;;
        train-labels-idx1-ubyte.gz) echo bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9 ;;
        t10k-images-idx3-ubyte.gz) echo 5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b ;;
        t10k-labels-idx1-ubyte.gz) echo 0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34 ;;
    esac
}
FILES="train-images-idx3-ubyte.gz train-labels-idx1-ubyte.gz t10k-images-idx3-ubyte.gz t10k-labels-idx1-ubyte.gz"

# prints "missing" or "damaged" for a file that is not right, nothing for a good one
state() {
    if [ ! -f "$target/$1" ]; then echo missing; return; fi
    sum=$(gunzip -c "$target/$1" 2>/dev/null | sha256sum | cut -d' ' -f1)
    [ "$sum" = "$(expected "$1")" ] || echo damaged
}

# prints one line per file that is not right, "<file> (<missing|damaged>)"
problems() {
    for f in $FILES; do
        s=$(state "$f")
        [ -z "$s" ] || echo "$target/$f ($s)"
    done
}

bad=$(problems)
if [ -z "$bad" ]; then
    echo "fashion-mnist: complete in $target"
    exit 0
fi
if [ "${1:-}" = "--check" ]; then
    echo "fashion-mnist is not ready; run the datasets job (docs/deploy.md). Not right:" >&2
    echo "$bad" >&2
    exit 1
fi

mkdir -p "$target"
for f in $FILES; do
    [ -n "$(state "$f")" ] || continue
    if [ -n "$SOURCE_DIR" ] && [ -f "$SOURCE_DIR/$f" ]; then
        echo "fashion-mnist: copying $f from $SOURCE_DIR"
        cp "$SOURCE_DIR/$f" "$target/$f.part"
    else
        echo "fashion-mnist: downloading $FASHION_MNIST_URL/$f"
        curl -fsSL --retry 3 --connect-timeout 10 -o "$target/$f.part" "$FASHION_MNIST_URL/$f" \
            || echo "fashion-mnist: could not download $FASHION_MNIST_URL/$f" >&2
    fi
    [ ! -f "$target/$f.part" ] || mv "$target/$f.part" "$target/$f"
done

bad=$(problems)
if [ -n "$bad" ]; then
    echo "fashion-mnist: incomplete after copying/downloading; not right:" >&2
    echo "$bad" >&2
    echo "Set SOURCE_DIR to a folder with the files, or FASHION_MNIST_URL to a reachable mirror." >&2
    exit 2
fi
echo "fashion-mnist: complete in $target"
