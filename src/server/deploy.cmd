@if "%SCM_TRACE_LEVEL%" NEQ "4" @echo off

:: ----------------------
:: KUDU Deployment Script
:: Version: 1.0.17
:: ----------------------

:: envguard-deploy-script: KuduScript's Python deployment (`kuduscript -y --python -r . -p
:: {AppRoot}`), unchanged except for the steps marked envguard, which also give env a fresh
:: start when requirements.txt (with the files it includes by -r/-c) or runtime.txt differ
:: from the copies saved in env\.envguard by the last successful deployment, or when a wipe
:: was requested (a .envguard-wipe file in wwwroot). Needs no envguard on the server.
:: envguard-app-root: {AppRoot}

:: Prerequisites
:: -------------

:: Verify node.js installed
where node 2>nul >nul
IF %ERRORLEVEL% NEQ 0 (
  echo Missing node.js executable, please install node.js, if already installed make sure it can be reached from current environment.
  goto error
)

:: Setup
:: -----

setlocal enabledelayedexpansion

SET ARTIFACTS=%~dp0%..\artifacts

IF NOT DEFINED DEPLOYMENT_SOURCE (
  SET DEPLOYMENT_SOURCE=%~dp0%.
)

IF NOT DEFINED DEPLOYMENT_TARGET (
  SET DEPLOYMENT_TARGET=%ARTIFACTS%\wwwroot
)

IF NOT DEFINED NEXT_MANIFEST_PATH (
  SET NEXT_MANIFEST_PATH=%ARTIFACTS%\manifest

  IF NOT DEFINED PREVIOUS_MANIFEST_PATH (
    SET PREVIOUS_MANIFEST_PATH=%ARTIFACTS%\manifest
  )
)

IF NOT DEFINED KUDU_SYNC_CMD (
  :: Install kudu sync
  echo Installing Kudu Sync
  call npm install kudusync -g --silent
  IF !ERRORLEVEL! NEQ 0 goto error

  :: Locally just running "kuduSync" would also work
  SET KUDU_SYNC_CMD=%appdata%\npm\kuduSync.cmd
)
goto Deployment

:: Utility Functions
:: -----------------

:SelectPythonVersion

IF DEFINED KUDU_SELECT_PYTHON_VERSION_CMD (
  call %KUDU_SELECT_PYTHON_VERSION_CMD% "%DEPLOYMENT_SOURCE%{SitePath}" "%DEPLOYMENT_TARGET%" "%DEPLOYMENT_TEMP%"
  IF !ERRORLEVEL! NEQ 0 goto error

  SET /P PYTHON_RUNTIME=<"%DEPLOYMENT_TEMP%\__PYTHON_RUNTIME.tmp"
  IF !ERRORLEVEL! NEQ 0 goto error

  SET /P PYTHON_VER=<"%DEPLOYMENT_TEMP%\__PYTHON_VER.tmp"
  IF !ERRORLEVEL! NEQ 0 goto error

  SET /P PYTHON_EXE=<"%DEPLOYMENT_TEMP%\__PYTHON_EXE.tmp"
  IF !ERRORLEVEL! NEQ 0 goto error

  SET /P PYTHON_ENV_MODULE=<"%DEPLOYMENT_TEMP%\__PYTHON_ENV_MODULE.tmp"
  IF !ERRORLEVEL! NEQ 0 goto error
) ELSE (
  SET PYTHON_RUNTIME=python-2.7
  SET PYTHON_VER=2.7
  SET PYTHON_EXE=%SYSTEMDRIVE%\python27\python.exe
  SET PYTHON_ENV_MODULE=virtualenv
)

goto :EOF

:: envguard: a watched file differs from (or is missing in) the copies saved in env.
:CompareSaved
IF DEFINED ENVGUARD_REASON exit /b 0
IF NOT EXIST "%~1" (
  IF EXIST "%ENVGUARD_STATE%\%~nx1" SET ENVGUARD_REASON=%~1 was removed
  exit /b 0
)
IF NOT EXIST "%ENVGUARD_STATE%\%~nx1" (
  SET ENVGUARD_REASON=%~1 is new
  exit /b 0
)
fc /b "%~1" "%ENVGUARD_STATE%\%~nx1" >NUL 2>&1
IF !ERRORLEVEL! NEQ 0 SET ENVGUARD_REASON=%~1 changed
exit /b 0

::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::
:: Deployment
:: ----------

:Deployment
echo Handling python deployment.

:: 1. KuduSync
IF /I "%IN_PLACE_DEPLOYMENT%" NEQ "1" (
  call :ExecuteCmd "%KUDU_SYNC_CMD%" -v 50 -f "%DEPLOYMENT_SOURCE%{SitePath}" -t "%DEPLOYMENT_TARGET%" -n "%NEXT_MANIFEST_PATH%" -p "%PREVIOUS_MANIFEST_PATH%" -i ".git;.hg;.deployment;deploy.cmd"
  IF !ERRORLEVEL! NEQ 0 goto error
)

IF NOT EXIST "%DEPLOYMENT_TARGET%\requirements.txt" goto postPython
IF EXIST "%DEPLOYMENT_TARGET%\.skipPythonDeployment" goto postPython

echo Detected requirements.txt.  You can skip Python specific steps with a .skipPythonDeployment file.

:: 2. Select Python version
call :SelectPythonVersion

pushd "%DEPLOYMENT_TARGET%"

:: 3a. envguard: a reason for a fresh env removes the runtime marker, so that step 3
::     deletes env and creates a new one, exactly as for a runtime change.
SET ENVGUARD_STATE=%DEPLOYMENT_TARGET%\env\.envguard
SET ENVGUARD_REASON=
IF EXIST "%DEPLOYMENT_TARGET%\.envguard-wipe" SET ENVGUARD_REASON=a wipe was requested
IF NOT DEFINED ENVGUARD_REASON IF EXIST "%DEPLOYMENT_TARGET%\env" IF NOT EXIST "%ENVGUARD_STATE%" SET ENVGUARD_REASON=env was not built by this script
IF NOT DEFINED ENVGUARD_REASON IF EXIST "%ENVGUARD_STATE%" (
  FOR %%F IN (requirements.txt runtime.txt) DO call :CompareSaved "%%F"
  FOR /F "usebackq tokens=1,2" %%A IN ("requirements.txt") DO (
    IF /I "%%A"=="-r" call :CompareSaved "%%B"
    IF /I "%%A"=="-c" call :CompareSaved "%%B"
    IF /I "%%A"=="--requirement" call :CompareSaved "%%B"
    IF /I "%%A"=="--constraint" call :CompareSaved "%%B"
  )
)
IF DEFINED ENVGUARD_REASON (
  echo envguard: a fresh virtual environment, because !ENVGUARD_REASON!.
  IF EXIST "%DEPLOYMENT_TARGET%\env\azure.env.%PYTHON_RUNTIME%.txt" del /q "%DEPLOYMENT_TARGET%\env\azure.env.%PYTHON_RUNTIME%.txt"
)

:: 3. Create virtual environment
IF NOT EXIST "%DEPLOYMENT_TARGET%\env\azure.env.%PYTHON_RUNTIME%.txt" (
  IF EXIST "%DEPLOYMENT_TARGET%\env" (
    echo Deleting incompatible virtual environment.
    rmdir /q /s "%DEPLOYMENT_TARGET%\env"
    IF !ERRORLEVEL! NEQ 0 goto error
  )

  echo Creating %PYTHON_RUNTIME% virtual environment.
  %PYTHON_EXE% -m %PYTHON_ENV_MODULE% env
  IF !ERRORLEVEL! NEQ 0 goto error

  copy /y NUL "%DEPLOYMENT_TARGET%\env\azure.env.%PYTHON_RUNTIME%.txt" >NUL
) ELSE (
  echo Found compatible virtual environment.
)

:: 4. Install packages
echo Pip install requirements.
env\scripts\pip install -r requirements.txt
IF !ERRORLEVEL! NEQ 0 goto error

:: 4a. envguard: save what env was built from, after a successful install only.
IF NOT EXIST "%ENVGUARD_STATE%" mkdir "%ENVGUARD_STATE%"
del /q "%ENVGUARD_STATE%\*" >NUL 2>&1
FOR %%F IN (requirements.txt runtime.txt) DO IF EXIST "%%F" copy /y "%%F" "%ENVGUARD_STATE%\%%F" >NUL
FOR /F "usebackq tokens=1,2" %%A IN ("requirements.txt") DO (
  IF /I "%%A"=="-r" IF EXIST "%%B" copy /y "%%B" "%ENVGUARD_STATE%\%%~nxB" >NUL
  IF /I "%%A"=="-c" IF EXIST "%%B" copy /y "%%B" "%ENVGUARD_STATE%\%%~nxB" >NUL
  IF /I "%%A"=="--requirement" IF EXIST "%%B" copy /y "%%B" "%ENVGUARD_STATE%\%%~nxB" >NUL
  IF /I "%%A"=="--constraint" IF EXIST "%%B" copy /y "%%B" "%ENVGUARD_STATE%\%%~nxB" >NUL
)
IF EXIST "%DEPLOYMENT_TARGET%\.envguard-wipe" del /q "%DEPLOYMENT_TARGET%\.envguard-wipe"

REM Add additional package installation here
REM -- Example --
REM env\scripts\easy_install pytz
REM IF !ERRORLEVEL! NEQ 0 goto error

:: 5. Copy web.config
IF EXIST "%DEPLOYMENT_SOURCE%{SitePath}\web.%PYTHON_VER%.config" (
  echo Overwriting web.config with web.%PYTHON_VER%.config
  copy /y "%DEPLOYMENT_SOURCE%{SitePath}\web.%PYTHON_VER%.config" "%DEPLOYMENT_TARGET%\web.config"
)

:: 6. Django collectstatic
IF EXIST "%DEPLOYMENT_TARGET%\manage.py" (
  IF EXIST "%DEPLOYMENT_TARGET%\env\lib\site-packages\django" (
    IF NOT EXIST "%DEPLOYMENT_TARGET%\.skipDjango" (
      echo Collecting Django static files. You can skip Django specific steps with a .skipDjango file.
      IF NOT EXIST "%DEPLOYMENT_TARGET%\static" (
        MKDIR "%DEPLOYMENT_TARGET%\static"
      )
      env\scripts\python manage.py collectstatic --noinput --clear
    )
  )
)

popd

:postPython

::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::::
goto end

:: Execute command routine that will echo out when error
:ExecuteCmd
setlocal
set _CMD_=%*
call %_CMD_%
if "%ERRORLEVEL%" NEQ "0" echo Failed exitCode=%ERRORLEVEL%, command=%_CMD_%
exit /b %ERRORLEVEL%

:error
endlocal
echo An error has occurred during web site deployment.
call :exitSetErrorLevel
call :exitFromFunction 2>nul

:exitSetErrorLevel
exit /b 1

:exitFromFunction
()

:end
endlocal
echo Finished successfully.
