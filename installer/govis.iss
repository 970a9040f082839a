; Inno Setup 6.5+ script: the Chinese Windows installer around the PyInstaller folder dist\govis.
; Build with installer\build_windows.bat, which passes the version read from pyproject.toml:
;   iscc /DAppVersion=0.2.0 installer\govis.iss        -> dist\govis-setup-0.2.0.exe
; The data folder (%LOCALAPPDATA%\govis: database, backups, keys) is not the program's folder: the installer
; never writes there except the 升级前 copy below, and the uninstaller leaves it alone.
; This file is UTF-8 with a byte-order mark, which Inno Setup needs to read the Chinese text.

#ifndef AppVersion
  #error 请用 installer\build_windows.bat 构建：它从 pyproject.toml 读出版本号并以 /DAppVersion= 传入
#endif
#define AppName "政务信息系统项目管理"

[Setup]
; the same AppId in every version: a new installer upgrades the old installation in place
AppId={{6C2E3A8E-6F1B-4C1D-9E59-2018051A0001}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=蒙阴县人民政府办公室
VersionInfoVersion={#AppVersion}
VersionInfoDescription={#AppName} 安装程序
DefaultDirName={autopf}\govis
DefaultGroupName={#AppName}
UsePreviousAppDir=yes
UsePreviousGroup=yes
DisableProgramGroupPage=auto
; per user by default (no administrator needed on an office PC); an administrator may choose all users
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
; a running govis.exe holds files in {app}: ask to close it before anything is replaced
CloseApplications=yes
RestartApplications=no
SetupIconFile=..\desktop_app\resources\icons\govis.ico
UninstallDisplayIcon={app}\govis.exe
UninstallDisplayName={#AppName}
OutputDir=..\dist
OutputBaseFilename=govis-setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ShowLanguageDialog=no

[Languages]
; Inno Setup ships Chinese only as an unofficial translation; build_windows.bat fetches it (pinned commit)
Name: "chinesesimp"; MessagesFile: "languages\ChineseSimplified.isl"

[Messages]
UninstalledAll=已从本机移除 %1 的程序文件。%n%n数据文件夹（数据库、备份、密钥）仍保留在原处，重新安装后继续使用；如确实不再需要，可手工删除。
ConfirmUninstall=确定要卸载 %1 吗？%n%n只删除程序文件；数据文件夹（数据库、备份、密钥）保留不动。

[Tasks]
Name: "desktopicon"; Description: "在桌面创建快捷方式"; GroupDescription: "附加快捷方式："

[InstallDelete]
; the previous version's program files (old Qt libraries must not linger beside the new ones);
; {app} never holds data
Type: filesandordirs; Name: "{app}\_internal"

[Dirs]
; the data folder exists from the start (the 数据文件夹 shortcut opens it; a database moved from another PC
; goes here) and is never removed by the uninstaller
Name: "{code:DataDir}"; Flags: uninsneveruninstall

[Files]
Source: "..\dist\govis\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\govis.exe"; Comment: "县级政务信息系统项目全生命周期管理"
Name: "{group}\数据文件夹"; Filename: "{code:DataDir}"; Comment: "数据库和备份所在的文件夹"
Name: "{group}\卸载 {#AppName}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\govis.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\govis.exe"; Description: "立即运行 {#AppName}"; Flags: nowait postinstall skipifsilent

[Code]
{ Where the program keeps its data: GOVIS_DB's folder if set, else %LOCALAPPDATA%\govis
  (platformdirs.user_data_dir("govis", appauthor=False), see desktop_app/cli.py default_db_path). }
function DbFile(): String;
begin
  Result := GetEnv('GOVIS_DB');
  if Result = '' then
    Result := ExpandConstant('{localappdata}\govis\govis.db');
end;

function DataDir(Param: String): String;
begin
  Result := ExtractFileDir(DbFile());
end;

{ Before the new program's files arrive (and after Setup has closed a running govis.exe), copy the
  database into its backups folder under the name the program lists as 升级前
  (govis-YYYYMMDD-HHMM-升级前.db, desktop_app/models/snapshot.py). A -wal file left by a program that did
  not close normally is copied beside it. If the copy fails, nothing is installed. }
procedure BackUpBeforeUpgrade();
var
  Db, Folder, Stamp, Target: String;
  N: Integer;
begin
  Db := DbFile();
  if not FileExists(Db) then
    Exit;
  Folder := ExtractFileDir(Db) + '\backups';
  if not ForceDirectories(Folder) then
    RaiseException('无法建立备份文件夹 ' + Folder + '。安装没有进行，原有程序和数据都没有改动。');
  Stamp := GetDateTimeString('yyyymmdd-hhnn', #0, #0);
  Target := Folder + '\govis-' + Stamp + '-升级前.db';
  N := 2;
  while FileExists(Target) do
  begin
    Target := Folder + '\govis-' + Stamp + '-升级前-' + IntToStr(N) + '.db';
    N := N + 1;
  end;
  if not FileCopy(Db, Target, True) then
    RaiseException('升级前备份数据库没有成功（' + Db + ' → ' + Target + '），可能是磁盘已满。' +
                   '安装没有进行，原有程序和数据都没有改动。请腾出磁盘空间后重新运行安装程序。');
  if FileExists(Db + '-wal') then
    FileCopy(Db + '-wal', Target + '-wal', True);
  Log('升级前备份：' + Target);
end;

procedure CurStepChanged(CurStep: TSetupStep);
begin
  if CurStep = ssInstall then
    BackUpBeforeUpgrade();
end;
