#!/usr/bin/env bash
# Seeds corpus/extract with the language fixtures: each file, prefixed by
# the byte that picks its language (the index in Language::ALL).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p corpus/extract
i=0
# In the order of Language::ALL.
for lang in rust python javascript typescript tsx go java c cpp csharp ruby kotlin swift php scala lua bash \
    elixir erlang haskell zig dart r elm nix hcl solidity gleam; do
    case $lang in
        rust) ext=rs ;; python) ext=py ;; javascript) ext=js ;; typescript) ext=ts ;;
        tsx) ext=tsx ;; go) ext=go ;; java) ext=java ;; c) ext=c ;; cpp) ext=cpp ;;
        csharp) ext=cs ;; ruby) ext=rb ;; kotlin) ext=kt ;; swift) ext=swift ;;
        php) ext=php ;; scala) ext=scala ;; lua) ext=lua ;; bash) ext=sh ;;
        elixir) ext=ex ;; erlang) ext=erl ;; haskell) ext=hs ;; zig) ext=zig ;;
        dart) ext=dart ;; r) ext=R ;; elm) ext=elm ;; nix) ext=nix ;; hcl) ext=tf ;;
        solidity) ext=sol ;; gleam) ext=gleam ;;
    esac
    dir=../fixtures/languages/$lang
    [ $lang = tsx ] && dir=../fixtures/languages/typescript
    while IFS= read -r -d '' f; do
        out=corpus/extract/seed-$lang-$(basename "$f")
        { printf "\\x$(printf %02x $i)"; cat "$f"; } > "$out"
    done < <(find "$dir" -name "*.$ext" -print0)
    i=$((i + 1))
done
ls corpus/extract | wc -l
