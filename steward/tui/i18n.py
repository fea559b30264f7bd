"""Every string the app shows, in zh-TW and English, in one catalogue.

``t("key", **values)`` returns the text in the current language; switching the
language (``set_language``) takes effect on the next render.
"""

from __future__ import annotations

from steward.models import CATEGORIES, STATUSES

_language = "en"

# key: (zh-TW, en)
CATALOGUE: dict[str, tuple[str, str]] = {
    "app.title": ("steward 請求收件匣", "steward inbox"),
    "app.demo": ("示範收件匣", "demo inbox"),
    "app.open_count": ("{open} 件待處理 · 共 {total} 件", "{open} open · {total} in all"),
    "tab.all": ("全部", "All"),
    # status names
    **{f"status.{s}": pair for s, pair in {
        "new": ("新進", "New"), "triaged": ("已分派", "Triaged"), "drafting": ("草擬中", "Drafting"),
        "replied": ("已回覆", "Replied"), "waiting": ("等待中", "Waiting"), "closed": ("已結案", "Closed"),
        "declined": ("已婉拒", "Declined"), "spam": ("垃圾", "Spam"),
    }.items()},
    **{f"category.{c}": pair for c, pair in {
        "collaboration": ("合作提案", "Collaboration"), "speaking": ("演講邀約", "Speaking"),
        "funding": ("募資補助", "Funding"), "naming": ("名義標誌", "Naming"),
        "partnership": ("合作夥伴", "Partnership"), "media": ("媒體採訪", "Media"),
        "data": ("資料技術", "Data"), "international": ("國際交流", "International"),
        "volunteer": ("個人參與", "Volunteer"), "other": ("其他", "Other"),
    }.items()},
    # column headers
    "col.date": ("日期", "Date"),
    "col.from": ("寄件者／單位", "From / organization"),
    "col.subject": ("主旨", "Subject"),
    "col.category": ("類別", "Category"),
    "col.match": ("轉介", "Routed to"),
    "col.status": ("狀態", "Status"),
    "col.assignee": ("負責人", "Assignee"),
    "list.loading": ("載入中…", "loading…"),
    "list.empty": ("這裡沒有請求。按 i 匯入，或 / 調整篩選。", "No requests here. Press i to import, or / to change the filter."),
    "list.no_subject": ("（無主旨）", "(no subject)"),
    "list.marked": ("已標記 {n} 件", "{n} marked"),
    # filter
    "filter.placeholder": (
        "篩選：文字或 status: cat: match: tag: assignee:me lang: due:overdue",
        "Filter: text or status: cat: match: tag: assignee:me lang: due:overdue",
    ),
    "filter.count": ("{n} 件符合", "{n} match"),
    "filter.error": ("⚠ {error}", "⚠ {error}"),
    # request view
    "view.none": ("選一件請求來看內容。", "Select a request to see it here."),
    "view.from": ("寄件者", "From"),
    "view.organization": ("單位", "Organization"),
    "view.channel": ("管道", "Channel"),
    "view.received": ("收到", "Received"),
    "view.status": ("狀態", "Status"),
    "view.category": ("類別", "Category"),
    "view.category_suggested": ("建議類別", "Suggested category"),
    "view.manual": ("（管理員指定）", "(set by a steward)"),
    "view.routed": ("轉介", "Routed to"),
    "view.no_match": ("沒有符合的專案或小組", "no match"),
    "view.looks_like_spam": ("看起來是垃圾信或詐騙（{score}），可設為垃圾", "Looks like spam ({score}); file it as spam"),
    "view.assignee": ("負責人", "Assignee"),
    "view.tags": ("標籤", "Tags"),
    "view.follow_up": ("追蹤日", "Follow up"),
    "view.overdue": ("已逾期", "overdue"),
    "view.due": ("即將到期", "due"),
    "view.matches": ("可能相關", "Matches"),
    "view.checklist": ("檢核清單", "Checklist"),
    "view.checklist_progress": ("{done}/{total} 已確認", "{done}/{total} checked"),
    "view.conversation": ("往來訊息", "Conversation"),
    "view.reply_from": ("{who} 的回覆 · {when}", "Reply from {who} · {when}"),
    "view.attachments": ("附件", "Attachments"),
    "view.drafts": ("草稿", "Drafts"),
    "view.draft_line": ("第 {version} 版 · {author} · {when}", "version {version} · {author} · {when}"),
    "view.sent": ("已寄出", "sent"),
    "view.history": ("紀錄", "History"),
    "view.notes": ("筆記", "Notes"),
    "view.truncated": ("…（還有 {n} 個字未顯示，完整內容請用 steward show）", "… ({n} more characters; steward show has them all)"),
    "view.none_yet": ("（尚無）", "(none yet)"),
    "view.back": ("返回", "Back"),
    # issue 14: the facts a steward notes before answering (request view)
    "view.facts": ("重點", "Facts"),
    "view.questions": ("問題", "Questions"),
    "view.deadlines": ("期限", "Deadlines"),
    "view.dates": ("提到的日期", "Dates mentioned"),
    "view.amounts": ("金額", "Amounts"),
    "view.sender_type": ("來信者", "Sender"),
    "sender.government": ("政府機關", "government"),
    "sender.school": ("學校", "school"),
    "sender.company": ("公司", "company"),
    "sender.ngo": ("民間團體", "NGO"),
    "sender.individual": ("個人", "individual"),
    "sender.foreign": ("國外單位", "from abroad"),
    # history actions
    **{f"event.{a}": pair for a, pair in {
        "import": ("匯入", "imported"), "status": ("狀態", "status"), "assign": ("負責人", "assigned"),
        "tag": ("加標籤", "tagged"), "untag": ("移除標籤", "untagged"), "note": ("筆記", "note"),
        "follow_up": ("追蹤日", "follow-up"), "category": ("類別", "category"), "route": ("轉介", "routed"),
        "draft": ("草稿", "draft"), "sent": ("寄出", "sent"), "checklist": ("檢核", "checklist"),
        "message": ("新訊息", "new message"),
    }.items()},
    # bindings (descriptions shown in the footer, help and palette)
    "bind.quit": ("離開", "Quit"),
    "bind.help": ("說明", "Help"),
    "bind.language": ("切換語言", "Switch language"),
    "bind.theme": ("切換主題", "Next theme"),
    "bind.filter": ("篩選", "Filter"),
    "bind.clear_filter": ("清除篩選", "Clear filter"),
    "bind.down": ("下一件", "Down"),
    "bind.up": ("上一件", "Up"),
    "bind.page_down": ("下一頁", "Page down"),
    "bind.page_up": ("上一頁", "Page up"),
    "bind.first": ("第一件", "First"),
    "bind.last": ("最後一件", "Last"),
    "bind.open": ("開啟", "Open"),
    "bind.mark": ("標記", "Mark"),
    "bind.mark_none": ("取消標記", "Unmark all"),
    "bind.status": ("狀態", "Status"),
    "bind.assign": ("指派", "Assign"),
    "bind.assign_me": ("指派給我", "Assign to me"),
    "bind.tag": ("標籤", "Tag"),
    "bind.category": ("類別", "Category"),
    "bind.route": ("轉介", "Route"),
    "bind.follow_up": ("追蹤日", "Follow-up"),
    "bind.note": ("筆記", "Note"),
    "bind.spam": ("垃圾", "Spam"),
    "bind.undo": ("復原", "Undo"),
    "bind.draft": ("擬稿", "Draft"),
    "bind.import": ("匯入", "Import"),
    "bind.summary": ("週報", "Weekly summary"),
    "bind.refresh": ("重新整理", "Refresh"),
    "bind.next_tab": ("下一個分頁", "Next tab"),
    "bind.prev_tab": ("上一個分頁", "Previous tab"),
    "bind.focus_view": ("切換到內容", "Focus the request"),
    "bind.palette": ("指令", "Commands"),
    "bind.back": ("返回", "Back"),
    "bind.save": ("儲存", "Save"),
    "bind.cancel": ("取消", "Cancel"),
    "bind.scroll_down": ("向下捲動", "Scroll down"),
    "bind.scroll_up": ("向上捲動", "Scroll up"),
    # dialogs
    "dialog.status": ("設定狀態", "Set status"),
    "dialog.category": ("設定類別（Esc 取消）", "Set category (Esc cancels)"),
    "dialog.category_auto": ("交回建議", "Back to the suggestion"),
    "dialog.route": ("轉介到專案或工作小組", "Route to a project or working group"),
    "dialog.route_search": ("輸入名稱、別名…", "Type a name, alias…"),
    "dialog.route_none": ("交回建議（自動轉介）", "Back to the suggestion (automatic)"),
    "dialog.assign": ("指派給（空白為取消指派）", "Assign to (empty unassigns)"),
    "dialog.tag": ("加標籤（空白分隔；-標籤 為移除）", "Add tags (space separated; -tag removes)"),
    "dialog.follow_up": ("追蹤日：+3d、2026-12-01、tomorrow、next mon（空白為清除）",
                         "Follow up: +3d, 2026-12-01, tomorrow, next mon (empty clears)"),
    "dialog.note": ("筆記（Ctrl+S 儲存，Esc 取消）", "Note (Ctrl+S saves, Esc cancels)"),
    "dialog.on_marked": ("將套用到 {n} 件已標記的請求", "Applies to the {n} marked requests"),
    "dialog.ok": ("確定", "OK"),
    "dialog.cancel": ("取消", "Cancel"),
    # notifications
    "note.saved": ("筆記已儲存", "Note saved"),
    "note.stale": ("{error}。畫面已更新，你打的字還在。", "{error}. The view is reloaded; your text is kept."),
    "notify.done": ("{what}：{n} 件", "{what}: {n}"),
    "notify.undone": ("已復原：{what}", "Undone: {what}"),
    "notify.nothing_to_undo": ("沒有可以復原的動作", "Nothing to undo"),
    "notify.note_no_undo": ("筆記無法復原（紀錄只會增加）", "Notes can't be undone (the history only grows)"),
    "notify.error": ("失敗：{error}", "Failed: {error}"),
    "notify.write_failed": ("無法寫入收件匣：{error}", "Could not write to the inbox: {error}"),
    "note.kept": ("{error}。你打的字還在。", "{error}. Your text is kept."),
    "notify.changed_elsewhere": ("其他管理員剛更新了收件匣", "Another steward just changed the inbox"),
    "notify.language": ("介面語言：繁體中文", "Language: English"),
    "notify.no_request": ("沒有選取的請求", "No request selected"),
    # help
    "help.title": ("按鍵說明", "Keys"),
    "help.intro": (
        "steward 全部可用鍵盤操作。Ctrl+P 可用名稱搜尋所有指令。在設定檔的 [keymap] 可以改鍵。",
        "Everything in steward works from the keyboard. Ctrl+P finds any action by name. "
        "Remap keys in the [keymap] section of your config.",
    ),
    "help.section.app": ("全域", "Everywhere"),
    "help.section.inbox": ("收件匣", "Inbox"),
    "help.section.request": ("請求內容", "Request"),
    "help.section.summary": ("週報", "Weekly summary"),
    "help.section.import": ("匯入", "Import"),
    "help.section.dialogs": ("對話框", "Dialogs"),
    "help.close": ("按 Esc 或 ? 關閉", "Esc or ? closes"),
    "help.binding_id": ("設定鍵名", "keymap id"),
}


_tz = None


def set_display_tz(tz) -> None:
    """Times on screen are in the steward's configured time zone."""
    global _tz
    _tz = tz


def display_tz():
    return _tz


def set_language(language: str) -> None:
    global _language
    _language = "zh-TW" if language.lower().startswith("zh") else "en"


def language() -> str:
    return _language


def t(key: str, **values) -> str:
    pair = CATALOGUE.get(key)
    if pair is None:
        return key
    text = pair[0] if _language == "zh-TW" else pair[1]
    return text.format(**values) if values else text


def status_name(status: str) -> str:
    return t(f"status.{status}") if status in STATUSES else status


def category_name(category: str | None) -> str:
    if not category:
        return "–"
    return t(f"category.{category}") if category in CATEGORIES else category
