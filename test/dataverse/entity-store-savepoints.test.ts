/**
 * Rolling back a change set or a failed deep insert restores exactly the rows it wrote, keeps the
 * column indexes and change tracking consistent with them, and leaves other rows untouched.
 */
import { describe, expect, it } from "vitest";
import { EntityStore, type StoredRecord } from "../../sandbox/dataverse/entity-store";

const byName = (record: StoredRecord) => String(record.values["name"] ?? "").toLowerCase();
const named = (store: EntityStore, name: string) => store.rowsWhere("account", "name", byName, byName, [name]).map((row) => row.id);

describe("entity store savepoints", () => {
  it("undoes creates, updates and deletes made since the savepoint, indexes and change log included", () => {
    const store = new EntityStore();
    store.put("account", "A", { name: "Kept" });
    store.put("account", "B", { name: "Before" });
    store.put("account", "C", { name: "Deleted in the change set" });
    expect(named(store, "before")).toEqual(["b"]);
    const trackedFrom = store.currentVersion;
    const versionOfB = store.get("account", "b")?.version;

    const savepoint = store.savepoint();
    store.put("account", "B", { name: "Renamed" });
    store.put("account", "D", { name: "New" });
    store.remove("account", "C");
    store.rollbackTo(savepoint);

    expect(store.list("account").map((row) => [row.id, row.values["name"]])).toEqual([
      ["a", "Kept"],
      ["b", "Before"],
      ["c", "Deleted in the change set"],
    ]);
    expect(store.get("account", "b")?.version).toBe(versionOfB);
    expect(named(store, "before")).toEqual(["b"]);
    expect(named(store, "renamed")).toEqual([]);
    expect(named(store, "new")).toEqual([]);
    expect(store.changesSince("account", trackedFrom)).toEqual({ changed: [], deletedIds: [] });
    // A version once handed out is not handed out again (rowversion), so delta tokens stay exact.
    const after = store.put("account", "E", { name: "After" });
    expect(after.version).toBeGreaterThan(trackedFrom + 3);
  });

  it("keeps a released inner savepoint's writes undoable by the enclosing one, and stops recording when all are closed", () => {
    const store = new EntityStore();
    const outer = store.savepoint();
    store.put("account", "A", { name: "Outer" });
    const inner = store.savepoint();
    store.put("account", "B", { name: "Inner" });
    store.release(inner);
    const failedInner = store.savepoint();
    store.put("account", "C", { name: "Failed inner" });
    store.rollbackTo(failedInner);
    expect(store.list("account").map((row) => row.id)).toEqual(["a", "b"]);
    store.rollbackTo(outer);
    expect(store.list("account")).toEqual([]);

    const committed = store.savepoint();
    store.put("account", "Z", { name: "Committed" });
    store.release(committed);
    expect(named(store, "committed")).toEqual(["z"]);
    // Nothing is open: a later rollback to an old savepoint has nothing recorded to undo.
    store.put("account", "Y", { name: "Outside" });
    expect(store.list("account").map((row) => row.id)).toEqual(["z", "y"]);
  });
});
