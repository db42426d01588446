// TypeScript and JavaScript call sites resolved by the TypeScript compiler:
// the reference `call_accuracy.py` compares Homer's call graph with.
//
//     npm install --prefix benches/calls      (typescript 5.x, package.json)
//     node benches/calls/tsc_calls.js REPO > tsc.jsonl
//
// One line per call or `new` in a TypeScript or JavaScript file git tracks
// (declaration files and node_modules left out): {"file", "line", "name",
// "language", "target"}, where `line` is where the call expression starts
// (as Homer records it), `name` the called name, and `target` is {"file",
// "line", "name"} of the declaration the checker resolves the call to
// (the callee's symbol with aliases followed, the resolved signature
// choosing among overloads) when it is inside REPO, "outside" when it is in a
// library or the compiler's own declarations, or null when the checker
// finds nothing (an unresolved import, an `any`). An overload signature is
// reported as its implementation, the one definition a call runs.

"use strict";
const path = require("path");
const { execFileSync } = require("child_process");

let ts;
try {
  ts = require(path.join(__dirname, "node_modules", "typescript"));
} catch (e) {
  ts = require("typescript");
}

const repo = path.resolve(process.argv[2]);
const listed = execFileSync("git", ["ls-files", "-z"], { cwd: repo, maxBuffer: 1 << 28 })
  .toString()
  .split("\0")
  .filter((f) => /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/.test(f) && !/\.d\.[mc]?ts$/.test(f))
  .filter((f) => !f.split("/").includes("node_modules"))
  .sort();
const files = listed.map((f) => path.join(repo, f));
const program = ts.createProgram(files, {
  allowJs: true,
  checkJs: false,
  noEmit: true,
  target: ts.ScriptTarget.ESNext,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  jsx: ts.JsxEmit.Preserve,
  skipLibCheck: true,
  resolveJsonModule: true,
  allowImportingTsExtensions: true,
  experimentalDecorators: true,
});
const checker = program.getTypeChecker();

function inside(fileName) {
  const full = path.resolve(fileName);
  return full.startsWith(repo + path.sep) && !full.split(path.sep).includes("node_modules");
}

function hasBody(d) {
  return d.body !== undefined || !ts.isFunctionLike(d);
}

/// The declaration a call runs: an overload signature becomes its
/// implementation.
function implementation(decl) {
  if (!decl || hasBody(decl)) return decl;
  const symbol = decl.symbol;
  const impl = symbol && (symbol.declarations || []).find((d) => ts.isFunctionLike(d) && d.body);
  return impl || decl;
}

function target(call, nameNode) {
  // The callee's own declaration (aliases followed): the function, method,
  // class or variable the name stands for. The resolved signature only
  // picks among its overloads; on its own it may be a function *type*
  // (what a variable was declared as), not what runs.
  let symbol = checker.getSymbolAtLocation(nameNode);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) {
    try {
      symbol = checker.getAliasedSymbol(symbol);
    } catch (e) {}
  }
  const declarations = (symbol && symbol.declarations) || [];
  let signed;
  try {
    const signature = checker.getResolvedSignature(call);
    signed = signature && signature.declaration;
  } catch (e) {
    signed = undefined;
  }
  let decl = declarations.includes(signed) ? signed : declarations[0];
  if (!decl && signed && signed.kind !== ts.SyntaxKind.JSDocSignature) decl = signed;
  if (!decl) return null;
  // A construct signature is the class's.
  if (ts.isConstructorDeclaration(decl) || decl.kind === ts.SyntaxKind.ConstructSignature) {
    decl = decl.parent;
  }
  decl = implementation(decl);
  const sf = decl.getSourceFile();
  if (!inside(sf.fileName)) return "outside";
  const named = decl.name || decl;
  const line = sf.getLineAndCharacterOfPosition(named.getStart(sf)).line + 1;
  let name = decl.name && ts.isIdentifier(decl.name) ? decl.name.text : nameNode.text;
  return { file: path.relative(repo, sf.fileName), line, name };
}

const out = [];
for (const rel of listed) {
  const sf = program.getSourceFile(path.join(repo, rel));
  if (!sf) continue;
  const language = /\.(ts|tsx|mts|cts)$/.test(rel) ? (rel.endsWith(".tsx") ? "tsx" : "typescript") : "javascript";
  const visit = (node) => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const e = node.expression;
      let nameNode;
      if (ts.isIdentifier(e)) nameNode = e;
      else if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.name)) nameNode = e.name;
      if (nameNode) {
        const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        out.push(
          JSON.stringify({
            file: rel,
            language,
            line,
            name: nameNode.text,
            span: [node.getStart(sf), node.getEnd()],
            target: target(node, nameNode),
          })
        );
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}
process.stdout.write(out.join("\n") + (out.length ? "\n" : ""));
