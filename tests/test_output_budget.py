"""OutputBudget cuts what the kernel sends before nbclient keeps it (the end-to-end flood: test_file_boundary)."""

from course_kit.grading.output_budget import OutputBudget, size


def message(kind: str, **content) -> dict:
    return {"msg_type": kind, "content": content}


def test_a_long_text_keeps_its_head_and_tail():
    budget = OutputBudget(max_output_chars=100, max_notebook_chars=10_000)
    msg = message("stream", name="stdout", text="a" * 60 + "b" * 1000 + "c" * 60)
    assert budget.admit(msg, [])
    text = msg["content"]["text"]
    head, note, tail = text.split("\n")
    assert set(head) == {"a"} and set(tail) == {"c"} and len(head) == len(tail)
    assert note == f"[output cut by the grader: {1120 - 2 * len(head)} characters]"
    assert len(text) <= 100 and budget.cut == 1  # the note's room comes out of the text kept


def test_html_images_and_json_of_any_size_are_cut():
    budget = OutputBudget(max_output_chars=100, max_notebook_chars=10_000)
    msg = message("display_data", data={"text/html": "<p>" + "x" * 500, "image/png": "iVBOR" * 100,
                                        "application/json": {"k": ["v" * 500]}}, metadata={})
    assert budget.admit(msg, [])
    data = msg["content"]["data"]
    assert len(data["text/html"]) < 200
    assert "image/png" not in data and "application/json" not in data  # cut in half they would be garbage
    assert "image/png of 500 characters" in data["text/plain"]


def test_an_exception_message_and_traceback_are_cut_but_stay_an_error():
    budget = OutputBudget(max_output_chars=100, max_notebook_chars=10_000)
    msg = message("error", ename="ValueError", evalue="y" * 10_000, traceback=["z" * 10_000] * 50)
    assert budget.admit(msg, [])
    content = msg["content"]
    assert content["ename"] == "ValueError" and len(content["evalue"]) < 200
    assert size(content["traceback"]) < 2_000


def test_past_the_notebook_budget_each_cell_gets_one_note_per_kind():
    budget = OutputBudget(max_output_chars=1_000, max_notebook_chars=1_500)
    outputs: list[dict] = []
    for _ in range(10):
        msg = message("stream", name="stdout", text="x" * 900)
        if budget.admit(msg, outputs):
            outputs.append({"output_type": "stream", "name": "stdout", "text": msg["content"]["text"]})
    assert len(outputs) == 3  # two whole, then a single note for the flood
    assert "outputs passed 1500 characters" in outputs[-1]["text"]
    stderr = message("stream", name="stderr", text="warning")
    assert budget.admit(stderr, outputs)  # stderr still shows (nbgrader scores a cell with stderr 0)
    error = message("error", ename="KeyError", evalue="k" * 5000, traceback=["t"] * 10)
    assert budget.admit(error, outputs) and error["content"]["ename"] == "KeyError"


def test_large_widget_messages_are_dropped():
    budget = OutputBudget(max_output_chars=100, max_notebook_chars=10_000)
    assert not budget.admit({"msg_type": "comm_msg", "content": {"data": {"state": "s" * 1000}}}, [])
    assert budget.admit({"msg_type": "comm_msg", "content": {"data": {"state": "s"}}, "buffers": []}, [])
    assert budget.admit({"msg_type": "status", "content": {"execution_state": "idle"}}, [])


def test_widget_messages_count_against_the_notebook_budget_and_past_it_are_dropped_with_one_note():
    budget = OutputBudget(max_output_chars=1_000, max_notebook_chars=5_000)
    outputs: list[dict] = []
    slider = {"msg_type": "comm_open", "content": {"comm_id": "s", "data": {"state": {"value": 3}}}}
    assert budget.admit(slider, outputs)  # a widget of honest size is kept
    flood = [{"msg_type": "comm_open", "content": {"comm_id": str(i), "data": {"state": {"v": "w" * 900}}}}
             for i in range(100)]
    admitted = sum(budget.admit(msg, outputs) for msg in flood)
    assert 0 < admitted <= 5_000 // 900 + 1  # the budget, not the per-message limit, stopped them
    assert budget.comms_dropped == 100 - admitted
    assert len(outputs) == 1 and "widget (comm) messages dropped" in outputs[0]["text"]
    assert outputs[0]["name"] == "stdout"  # stderr would fail a test cell of an ordinary assignment
    assert not budget.admit(slider, outputs) and len(outputs) == 1  # later ones too; the note stays one
