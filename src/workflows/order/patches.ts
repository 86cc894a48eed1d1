/**
 * Patches: workflow changes after release that add, remove or reorder commands. Names are wire
 * names, recorded as markers in histories: never rename one. test/replay/histories/versioning/
 * keeps a history from before and from after each, and the corpus test replays both.
 */
export const PATCH_NOTIFY_PICKING = 'notify-picking';
