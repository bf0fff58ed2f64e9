import { Kind, parse, type FieldNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { projectColumns, requestedFields } from '../src/common/projection';

function infoFor(query: string) {
  const doc = parse(query);
  const op = doc.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    doc.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  return { fieldNodes: [op.selectionSet.selections[0] as FieldNode], fragments };
}

describe('projection', () => {
  it('collects the fields asked for below a path, through fragments', () => {
    const info =
      infoFor(`{ calendarItems(first: 5) { totalCount edges { cursor node { id ...F ... on CalendarItem { owner { id } } } } } }
      fragment F on CalendarItem { title occurrences(from: "a", to: "b") { start } }`);
    expect([...requestedFields(info, ['edges', 'node'])].sort()).toEqual(['id', 'occurrences', 'owner', 'title']);
    expect([...requestedFields(info)].sort()).toEqual(['edges', 'totalCount']);
  });

  it('reads the columns of requested fields, their dependencies and the fields always needed', () => {
    const columns = { id: 'c.id', title: 'c.title', startTime: 'c.start_time', userId: 'c.user_id', timeZone: 'c.tz' };
    const picked = projectColumns(new Set(['title', 'owner', 'unknown']), {
      columns,
      needs: { owner: ['userId'] },
      always: ['id', 'startTime'],
    });
    expect(picked.sort()).toEqual(['c.id', 'c.start_time', 'c.title', 'c.user_id']);
  });
});
