"""An import-linter contract the built-in ones do not cover: no import cycle at all, at
the level of modules, across every root package (a package importing its own child that
imports it back included). ``acyclic_siblings`` sees cycles between siblings only; the
layers contract sees those between apps. Used by ``pyproject.toml`` ([tool.importlinter])
and so by ``lint-imports`` in ``make test``."""

from importlinter.application import output
from importlinter.domain.contract import Contract, ContractCheck


def strongly_connected(adjacency: dict[str, set[str]]) -> list[list[str]]:
    """The components of more than one module (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(adjacency):
        if root in index:
            continue
        work = [(root, iter(sorted(adjacency[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(adjacency.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


class NoCyclesContract(Contract):
    """Kept when no module of the root packages can reach itself through imports
    (function-local imports count: grimp reads every import statement)."""

    def check(self, graph, verbose: bool) -> ContractCheck:
        modules = graph.modules
        adjacency = {m: set(graph.find_modules_directly_imported_by(m)) & modules for m in modules}
        cycles = strongly_connected(adjacency)
        return ContractCheck(kept=not cycles, warnings=[], metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error(f"Import cycle between {len(cycle)} modules:", bold=True)
            for module in cycle:
                output.print_error(f"- {module}")
            output.new_line()
