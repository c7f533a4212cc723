# Bad input: a clear error naming the file and JSON path (or line), exit code 2, and
# no partial output file.
file(REMOVE_RECURSE ${WORK_DIR}/bad)
file(MAKE_DIRECTORY ${WORK_DIR}/bad)
file(READ ${SOURCE_DIR}/examples/scenarios/default_cmc_program.json good)

function(expect_failure name text pattern)
  file(WRITE ${WORK_DIR}/bad/${name}.json "${text}")
  execute_process(COMMAND ${CLI} run ${WORK_DIR}/bad/${name}.json --trials 5 --out ${WORK_DIR}/bad/${name}.out.json
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 2)
    message(FATAL_ERROR "${name}: expected exit code 2, got ${rc}: ${out} ${err}")
  endif()
  if(NOT err MATCHES "${pattern}")
    message(FATAL_ERROR "${name}: error does not match '${pattern}': ${err}")
  endif()
  if(EXISTS ${WORK_DIR}/bad/${name}.out.json)
    message(FATAL_ERROR "${name}: a partial output file was left behind")
  endif()
endfunction()

string(REPLACE "\"frailty_cv\": 0.5" "\"frailty_cv\": \"high\"" t "${good}")
expect_failure(wrong_type "${t}" "cost_model.frailty_cv: expected a number, got string")
string(REPLACE "\"frailty_cv\": 0.5" "\"frailty_cv\": 0.5, \"frailty\": 1" t "${good}")
expect_failure(unknown_key "${t}" "cost_model.frailty: expected one of: .*unknown key")
string(REPLACE "\"dispersion\": 1.0" "\"dispersion\": -1.0" t "${good}")
expect_failure(bad_param "${t}" "cost_model.cells.inpatient.A.frequency.dispersion: expected a finite number > 0, got -1")
string(REPLACE "\"members\": 1000" "\"members\": 1000," t "${good}")
expect_failure(syntax "${t}" "syntax.json:[0-9]+:[0-9]+: expected valid JSON")
expect_failure(empty_file "" "empty_file.json:1:1: expected valid JSON")
execute_process(COMMAND ${CLI} run ${WORK_DIR}/bad/does_not_exist.json RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "does_not_exist.json: expected a scenario file \\(JSON\\), got no such file")
  message(FATAL_ERROR "missing file: ${rc} ${err}")
endif()
execute_process(COMMAND ${CLI} run ${SOURCE_DIR}/examples/scenarios/default_cmc_program.json --trials -3 RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "--trials: expected a whole number")
  message(FATAL_ERROR "bad --trials: ${rc} ${err}")
endif()
execute_process(COMMAND ${CLI} run ${SOURCE_DIR}/examples/scenarios/default_cmc_program.json --trials 0 RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 2 OR NOT err MATCHES "--trials: expected a whole number from 1 to")
  message(FATAL_ERROR "--trials 0: ${rc} ${err}")
endif()
# --out is checked before the simulation: 4 billion trials would take days, so this
# only returns at once if the folder is checked first.
execute_process(COMMAND ${CLI} run ${SOURCE_DIR}/examples/scenarios/default_cmc_program.json --trials=4000000000
                        --out /nonexistent-dir/x.json
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET TIMEOUT 60)
if(NOT rc EQUAL 2 OR NOT err MATCHES "--out: expected a path in an existing folder, got \"/nonexistent-dir/x.json\"")
  message(FATAL_ERROR "--out into a missing folder: ${rc} ${err}")
endif()
execute_process(COMMAND ${CLI} run ${SOURCE_DIR}/examples/scenarios/default_cmc_program.json --trials 2 --out ${WORK_DIR}
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET TIMEOUT 60)
if(NOT rc EQUAL 2 OR NOT err MATCHES "--out: expected a file path, got .*, a folder")
  message(FATAL_ERROR "--out a folder: ${rc} ${err}")
endif()
# A component in force in a year the scenario does not have (issue 8, item 5).
string(REPLACE "\"years\": [\n            2,\n            3\n          ]" "\"years\": [2, 4]" t "${good}")
if(t STREQUAL good)
  message(FATAL_ERROR "the bundled scenario no longer has the glide path's years [2, 3]")
endif()
expect_failure(year_beyond_horizon "${t}"
  "payment_models\\[2\\].components\\[3\\].years\\[1\\]: expected a year of the scenario's horizon, 1 to 3, got 4")
# Subcommand help exits 0 and lists the options; --flag=value is accepted.
foreach(cmd run default-scenario sweep solve msr aggregate)
  execute_process(COMMAND ${CLI} ${cmd} --help RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "Usage: apmsim ${cmd}")
    message(FATAL_ERROR "apmsim ${cmd} --help: ${rc} ${out} ${err}")
  endif()
endforeach()
execute_process(COMMAND ${CLI} default-scenario --members=40 --years=1 RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0 OR NOT out MATCHES "\"members\": 40")
  message(FATAL_ERROR "default-scenario --members=40: ${rc} ${err}")
endif()
# More threads than trials: runs, and says how many it used.
execute_process(COMMAND ${CLI} run ${SOURCE_DIR}/examples/scenarios/default_cmc_program.json --trials=3 --threads 1000
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 0 OR NOT err MATCHES "1000 threads requested, 3 used")
  message(FATAL_ERROR "--threads 1000: ${rc} ${err}")
endif()
