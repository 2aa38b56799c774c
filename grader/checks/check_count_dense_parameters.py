"""Checks for count_dense_parameters: weights and biases of a fully connected network."""

import pytest

from grader.checking import agrees, expect_value_error, works_too


@pytest.mark.points(4)
def check_the_notes_networks(student, reference):
    for sizes in ([2, 2, 1], [8, 4, 2], [16, 4, 2, 1]):
        agrees(student, reference, "count_dense_parameters", sizes)


@pytest.mark.points(2)
def check_too_few_or_empty_layers_raise_value_error(student, reference):
    expect_value_error(student.count_dense_parameters, [3])
    expect_value_error(student.count_dense_parameters, [3, 0])
    works_too(student, reference, "count_dense_parameters", [3, 2])


@pytest.mark.points(1)
def check_an_int_from_a_tuple(student, reference):
    agrees(student, reference, "count_dense_parameters", (4, 3))


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_deep_networks(student, reference, rng):
    sizes = [int(n) for n in rng.integers(1, 65, size=int(rng.integers(4, 8)))]
    agrees(student, reference, "count_dense_parameters", sizes)


@pytest.mark.hidden
@pytest.mark.points(1)
def check_a_bad_size_anywhere(student, reference, rng):
    sizes = [int(n) for n in rng.integers(1, 30, size=5)]
    good = list(sizes)
    sizes[int(rng.integers(1, 4))] = int(rng.integers(-3, 1))  # inside: the first and last are public checks
    expect_value_error(student.count_dense_parameters, sizes)
    works_too(student, reference, "count_dense_parameters", good)
