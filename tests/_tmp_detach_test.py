import sys
sys.path.insert(0, "/work/main/tests")
from test_tui_draft import *  # noqa

async def test_save_then_leave_at_once(inbox):
    app = make_app(inbox)
    async with app.run_test(size=TERMINAL) as pilot:
        await open_draft(app, pilot, inbox)
        await type_at_end(app, pilot, "quick")
        await pilot.press("ctrl+s", "escape")
        await settle(app, pilot)
        await pilot.press("tab")
        await open_draft(app, pilot, inbox)
        await pilot.press("ctrl+t", "escape", "escape")
        await settle(app, pilot)
        await open_draft(app, pilot, inbox)
        await pilot.press("tab", "L")
        await pilot.pause()
        print(header_text(app), str(app.screen.query_one("#checklist-summary").render()))
        print([b.description for b in app.screen.active_bindings and [x[1] for x in app.screen.active_bindings.values()]][:12])
    store = other_store(inbox)
    print([ (d.version, d.body[-6:]) for d in store.drafts(store.resolve("s001"))], store.autosaved_draft(store.resolve("s001")))
