import {
  Kind,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

const requested = new WeakMap<readonly FieldNode[], Map<string, Set<string>>>();

/**
 * The fields the operation asks for on the objects a resolver returns, at `path` below it (e.g.
 * `['edges', 'node']` for a connection), through fragments. `@skip`/`@include` are ignored: asking
 * for a field too many is harmless. Measured once per field of a document (graphql-js and
 * graphql-jit hand every call of a field the same `fieldNodes`), so the set is shared: read it only.
 */
export function requestedFields(
  info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>,
  path: string[] = [],
): Set<string> {
  let byPath = requested.get(info.fieldNodes);
  if (!byPath) {
    byPath = new Map();
    requested.set(info.fieldNodes, byPath);
  }
  const key = path.join('.');
  let fields = byPath.get(key);
  if (!fields) {
    fields = collectFields(info, path);
    byPath.set(key, fields);
  }
  return fields;
}

function collectFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: string[]): Set<string> {
  let sets: SelectionSetNode[] = info.fieldNodes.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
  for (const name of path) {
    sets = sets.flatMap((set) =>
      fieldsOf(set, info.fragments)
        .filter((f) => f.name.value === name && f.selectionSet)
        .map((f) => f.selectionSet!),
    );
  }
  return new Set(sets.flatMap((set) => fieldsOf(set, info.fragments).map((f) => f.name.value)));
}

function fieldsOf(
  set: SelectionSetNode,
  fragments: Record<string, FragmentDefinitionNode>,
  seen = new Set<string>(),
): FieldNode[] {
  return set.selections.flatMap((sel) => {
    if (sel.kind === Kind.FIELD) return [sel];
    if (sel.kind === Kind.INLINE_FRAGMENT) return fieldsOf(sel.selectionSet, fragments, seen);
    const fragment = fragments[sel.name.value];
    if (!fragment || seen.has(sel.name.value)) return [];
    return fieldsOf(fragment.selectionSet, fragments, new Set(seen).add(sel.name.value));
  });
}

/**
 * The columns to read for the requested fields (pass a spec kept in a constant, so the result is
 * computed once per document): `columns` maps a GraphQL field (or a hidden field a
 * resolver needs) to its column; `needs` says which hidden fields a computed field depends on;
 * `always` are read in any case (the key, the sort field, grouping keys).
 */
export interface ProjectionSpec<C> {
  columns: Record<string, C>;
  needs?: Record<string, string[]>;
  always: string[];
}

const projected = new WeakMap<Set<string>, WeakMap<ProjectionSpec<unknown>, unknown[]>>();

export function projectColumns<C>(requested: Set<string>, spec: ProjectionSpec<C>): C[] {
  const bySpec = projected.get(requested) ?? new WeakMap<ProjectionSpec<unknown>, unknown[]>();
  projected.set(requested, bySpec);
  let columns = bySpec.get(spec) as C[] | undefined;
  if (!columns) {
    columns = pickColumns(requested, spec);
    bySpec.set(spec, columns);
  }
  return columns;
}

function pickColumns<C>(requested: Set<string>, spec: ProjectionSpec<C>): C[] {
  const fields = new Set(spec.always);
  for (const field of requested) {
    if (field in spec.columns) fields.add(field);
    for (const dependency of spec.needs?.[field] ?? []) fields.add(dependency);
  }
  return [...fields]
    .sort()
    .map((f) => spec.columns[f])
    .filter((c): c is C => c !== undefined);
}

const keys = new WeakMap<readonly unknown[], string>();

/** A stable key for a loader specialised to a projection (computed once per projection). */
export function projectionKey(columns: readonly unknown[]): string {
  let key = keys.get(columns);
  if (key === undefined) {
    key = columns.map(String).join(',');
    keys.set(columns, key);
  }
  return key;
}
