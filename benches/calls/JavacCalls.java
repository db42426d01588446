// Java call sites resolved by javac: the reference `call_accuracy.py`
// compares Homer's call graph with.
//
//     java benches/calls/JavacCalls.java REPO > javac.jsonl
//
// One line per method call or `new` in a Java file git tracks: {"file",
// "line", "name", "language", "target"}, where `line` is where the call
// expression starts (as Homer records it), `name` the called name, and
// `target` is {"file", "line", "name"} of the declaration javac attributes
// the call to when it is a source file of REPO (a constructor is reported
// as its class, as Homer resolves a construction to the class), "outside"
// when it is in the JDK or a library on the class path, or null when javac
// could not attribute it (a dependency missing here). Compile errors from
// missing dependencies are tolerated: every file is still attributed.

import com.sun.source.tree.*;
import com.sun.source.util.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import javax.lang.model.element.*;
import javax.tools.*;

public class JavacCalls {
    public static void main(String[] args) throws Exception {
        Path repo = Paths.get(args[0]).toRealPath();
        Process git = new ProcessBuilder("git", "ls-files", "-z", "*.java")
                .directory(repo.toFile()).start();
        String listed = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        List<String> rels = new ArrayList<>();
        for (String f : listed.split("\0")) if (!f.isEmpty()) rels.add(f);
        Collections.sort(rels);
        List<Path> paths = new ArrayList<>();
        for (String r : rels) paths.add(repo.resolve(r));
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        StandardJavaFileManager files = compiler.getStandardFileManager(null, null, StandardCharsets.UTF_8);
        DiagnosticListener<JavaFileObject> quiet = d -> {};
        JavacTask task = (JavacTask) compiler.getTask(null, files, quiet,
                List.of("-proc:none", "-implicit:none", "-nowarn", "-XDshould-stop.ifError=FLOW",
                        "-XDshould-stop.at=FLOW"),
                null, files.getJavaFileObjectsFromPaths(paths));
        Iterable<? extends CompilationUnitTree> units = task.parse();
        task.analyze();
        Trees trees = Trees.instance(task);
        SourcePositions positions = trees.getSourcePositions();
        StringBuilder out = new StringBuilder();
        for (CompilationUnitTree unit : units) {
            String rel = repo.relativize(Paths.get(unit.getSourceFile().toUri()).toRealPath()).toString();
            new TreePathScanner<Void, Void>() {
                void site(Tree node, String name) {
                    long start = positions.getStartPosition(unit, node);
                    long end = positions.getEndPosition(unit, node);
                    long line = unit.getLineMap().getLineNumber(start);
                    Element e = trees.getElement(getCurrentPath());
                    out.append("{\"file\":").append(quote(rel))
                       .append(",\"language\":\"java\",\"line\":").append(line)
                       .append(",\"name\":").append(quote(name))
                       .append(",\"span\":[").append(start).append(",").append(end).append("]")
                       .append(",\"target\":").append(target(e)).append("}\n");
                }

                String target(Element e) {
                    if (e == null || e.asType() == null
                            || e.asType().getKind() == javax.lang.model.type.TypeKind.ERROR) {
                        return "null";
                    }
                    if (e.getKind() == ElementKind.CONSTRUCTOR) e = e.getEnclosingElement();
                    TreePath path = trees.getPath(e);
                    if (path == null) return "\"outside\"";
                    CompilationUnitTree home = path.getCompilationUnit();
                    String file;
                    try {
                        file = repo.relativize(Paths.get(home.getSourceFile().toUri()).toRealPath()).toString();
                    } catch (Exception x) {
                        return "\"outside\"";
                    }
                    // The declaration's last line: inside its span however
                    // its annotations and modifiers are counted.
                    long end = positions.getEndPosition(home, path.getLeaf());
                    long line = home.getLineMap().getLineNumber(end);
                    return "{\"file\":" + quote(file) + ",\"line\":" + line
                            + ",\"name\":" + quote(e.getSimpleName().toString()) + "}";
                }

                @Override
                public Void visitMethodInvocation(MethodInvocationTree node, Void v) {
                    ExpressionTree select = node.getMethodSelect();
                    String name = null;
                    if (select instanceof MemberSelectTree m) name = m.getIdentifier().toString();
                    else if (select instanceof IdentifierTree i) name = i.getName().toString();
                    if (name != null && !name.equals("this") && !name.equals("super")) site(node, name);
                    return super.visitMethodInvocation(node, v);
                }

                @Override
                public Void visitNewClass(NewClassTree node, Void v) {
                    Tree type = node.getIdentifier();
                    if (type instanceof ParameterizedTypeTree p) type = p.getType();
                    String name = null;
                    if (type instanceof MemberSelectTree m) name = m.getIdentifier().toString();
                    else if (type instanceof IdentifierTree i) name = i.getName().toString();
                    if (name != null) site(node, name);
                    return super.visitNewClass(node, v);
                }
            }.scan(unit, null);
        }
        System.out.print(out);
    }

    static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
