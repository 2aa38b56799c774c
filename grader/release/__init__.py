"""``grader release``: the student's copy of the course (see ``build.release_course``).

- ``build``: writes DEST (stubs, quizzes, the grader with only public checks, notebooks, README,
  CI workflow) and optionally makes its first commit;
- ``strip``: the AST transform that takes hidden checks and their input generators out;
- ``record``: runs the public checks against the references and records their answers;
- ``recording``: the recording's file format, the recorder and the player the ``reference``
  fixture uses in a student's copy;
- ``notebooks``: the weekly student notebooks.
"""
