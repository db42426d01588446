// Go call sites resolved by go/types: the reference `call_accuracy.py`
// compares Homer's call graph with.
//
//	go run ./benches/calls/gocalls REPO > go.jsonl
//
// One line per call or composite literal of a named type in a Go file git
// tracks: {"file", "line", "name", "language", "target"}, where `line` is
// where the call expression starts (as Homer records it), `name` the
// called name, and `target` is {"file", "line", "name"} of the function,
// method or type declared in REPO that go/types resolves it to, "outside"
// when it is declared elsewhere (the standard library, a module), or null
// when go/types could not tell (a dependency missing here: errors are
// tolerated, each package is checked as far as it can be).
package main

import (
	"encoding/json"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

type site struct {
	File     string      `json:"file"`
	Language string      `json:"language"`
	Line     int         `json:"line"`
	Name     string      `json:"name"`
	Target   interface{} `json:"target"`
	// Where the call starts and ends, to order calls of one name on one
	// line (a chain's links start together).
	Span [2]int `json:"span"`
}

type place struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Name string `json:"name"`
}

func main() {
	repo, _ := filepath.Abs(os.Args[1])
	repo, _ = filepath.EvalSymlinks(repo)
	out, err := exec.Command("git", "-C", repo, "ls-files", "-z", "*.go").Output()
	if err != nil {
		panic(err)
	}
	// Packages by directory and package name (a directory may hold a
	// package and its external test package).
	type key struct{ dir, name string }
	fset := token.NewFileSet()
	packages := map[key][]*ast.File{}
	var keys []key
	for _, rel := range strings.Split(string(out), "\x00") {
		if rel == "" {
			continue
		}
		file, err := parser.ParseFile(fset, filepath.Join(repo, rel), nil, parser.SkipObjectResolution)
		if err != nil || file == nil {
			continue
		}
		k := key{filepath.Dir(rel), file.Name.Name}
		if _, ok := packages[k]; !ok {
			keys = append(keys, k)
		}
		packages[k] = append(packages[k], file)
	}
	sort.Slice(keys, func(i, j int) bool {
		return keys[i].dir < keys[j].dir || keys[i].dir == keys[j].dir && keys[i].name < keys[j].name
	})
	imp := importer.ForCompiler(fset, "source", nil)
	enc := json.NewEncoder(os.Stdout)
	for _, k := range keys {
		info := &types.Info{Uses: map[*ast.Ident]types.Object{}}
		conf := types.Config{Importer: imp, Error: func(error) {}}
		conf.Check(k.dir, fset, packages[k], info)
		target := func(id *ast.Ident) interface{} {
			obj := info.Uses[id]
			if obj == nil {
				return nil
			}
			pos := fset.Position(obj.Pos())
			if !pos.IsValid() {
				return "outside"
			}
			file, err := filepath.EvalSymlinks(pos.Filename)
			if err != nil || !strings.HasPrefix(file, repo+string(filepath.Separator)) {
				return "outside"
			}
			rel, _ := filepath.Rel(repo, file)
			return place{rel, pos.Line, obj.Name()}
		}
		for _, file := range packages[k] {
			name := fset.Position(file.Pos()).Filename
			rel, _ := filepath.Rel(repo, name)
			ast.Inspect(file, func(n ast.Node) bool {
				var id *ast.Ident
				switch x := n.(type) {
				case *ast.CallExpr:
					switch f := x.Fun.(type) {
					case *ast.Ident:
						id = f
					case *ast.SelectorExpr:
						id = f.Sel
					case *ast.IndexExpr: // a generic function instantiated
						if g, ok := f.X.(*ast.Ident); ok {
							id = g
						}
					}
				case *ast.CompositeLit:
					switch t := x.Type.(type) {
					case *ast.Ident:
						id = t
					case *ast.SelectorExpr:
						id = t.Sel
					}
				}
				if id == nil {
					return true
				}
				// Conversions to builtin types and builtins are not calls
				// of anything declared: outside.
				span := [2]int{fset.Position(n.Pos()).Offset, fset.Position(n.End()).Offset}
				enc.Encode(site{rel, "go", fset.Position(n.Pos()).Line, id.Name, target(id), span})
				return true
			})
		}
	}
}
