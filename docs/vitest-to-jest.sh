#!/usr/bin/env bash
# Converts vitest test files to this repo's Jest style, in place. Run from the repository root:
#   bash docs/vitest-to-jest.sh path/to/a.spec.ts test/e2e/b.test.ts ...
# then `npm run typecheck` and the manual steps it prints; docs/testing.md says what it does.
set -euo pipefail
for f in "$@"; do
  support=$(realpath --relative-to="$(dirname "$f")" test/support); case $support in .*) ;; *) support="./$support" ;; esac
  # 1. imports; the vi object -> jest (same names for these); expect.soft -> expect
  sed -i -E \
    -e "/from 'vitest';/{s/from 'vitest';/from '@jest\/globals';/; s/([{ ,])vi([ ,}])/\1jest\2/}" \
    -e 's/\bvi\.(fn|spyOn|useFakeTimers|useRealTimers|advanceTimersByTime|advanceTimersByTimeAsync|runAllTimers|runAllTimersAsync|runOnlyPendingTimers|setSystemTime|clearAllTimers|getTimerCount|restoreAllMocks|clearAllMocks|resetAllMocks|mocked|isMockFunction)\b/jest.\1/g' \
    -e 's/\bexpect\.soft\(/expect(/g' \
    -e 's/^([ \t]*(before|after)(All|Each)\(\(\) => )(jest\.[A-Za-z]+\([^()]*\))\);$/\1{\n  \4;\n});/' \
    "$f"
  # 2. one-line rewrites (balanced parentheses): expect.poll / vi.waitFor -> waitFor, skipIf/runIf, toBeTypeOf
  perl -pi -e '
    s{expect\.poll\(((?:async )?\(\) => )((?:[^()]|(\((?:[^()]|(?3))*\)))*?)(, \{[^{}]*\})?\)\.((?:not\.)?\w+)\(((?:[^()]|(\((?:[^()]|(?7))*\)))*)\)}{waitFor($1expect($2).$5($6)$4)}g;
    s{\bvi\.waitFor\(}{waitFor(}g;
    s{\b(describe|it|test)\.skipIf\(((?:[^()]|(\((?:[^()]|(?3))*\)))*)\)\(}{($2 ? $1.skip : $1)(}g;
    s{\b(describe|it|test)\.runIf\(((?:[^()]|(\((?:[^()]|(?3))*\)))*)\)\(}{($2 ? $1 : $1.skip)(}g;
    s{\bexpect\(((?:[^()]|(\((?:[^()]|(?2))*\)))*)\)\.(not\.)?toBeTypeOf\(}{expect(typeof $1).$3toBe(}g;
  ' "$f"
  # 3. timeouts: it(name, { timeout: N }, fn) -> it(name, fn, N); vitest's 120 s hookTimeout made explicit on
  #    every hook that can wait (async, or a one-line arrow returning a value)
  perl -0pi -e '
    s{^(\s*)(\S[^\n]*?), \{ timeout: ([\w_]+) \}, ([^\n]*\n.*?\n)\1\}\);}{$1$2, $4$1\}, $3);}gms;
    s#^([ \t]*)((?:before|after)(?:All|Each)\(async \(\) => \{)((?:\n(?!\1\}).*)*)\n\1\}\);#$1$2$3\n$1}, 120_000);#gm;
    s#^([ \t]*)((?:before|after)(?:All|Each)\(async \(\) => \{.*\})\);$#$1$2, 120_000);#gm;
    s#^([ \t]*)((?:before|after)(?:All|Each)\((?:async )?\(\) => [^{\n].*)\);$#$1$2, 120_000);#gm;
  ' "$f"
  # 4. helpers from test/support
  if grep -qE '(^|[^.[:alnum:]_])waitFor\(' "$f" && ! grep -q "wait-for.js'" "$f"; then
    sed -i "/from '@jest\/globals';/a import { waitFor } from '$support/wait-for.js';" "$f"
  fi
  # 5. what needs a human
  grep -nE "\bvi\.|expect\.poll|\.(skipIf|runIf)\(|toMatchInlineSnapshot|onTestFinished|onTestFailed|expectTypeOf|\{ timeout: [^}]*\}, (async )?\(|\b(it|test)\(.*, async \(\{" "$f" | sed "s|^|$f:|" || true
done
