//! Folders dropped on the page: the browser hands them over as file-system entries, read
//! through callbacks, which are awaited here as promises.

use js_sys::{Function, Promise};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DataTransfer, File, FileSystemDirectoryEntry, FileSystemDirectoryReader, FileSystemEntry,
    FileSystemFileEntry,
};

/// Splits a drop into folders (as entries) and plain files.
pub fn split(transfer: &DataTransfer) -> (Vec<FileSystemDirectoryEntry>, Vec<File>) {
    let items = transfer.items();
    let mut folders = Vec::new();
    let mut files = Vec::new();
    for i in 0..items.length() {
        let Some(item) = items.get(i) else { continue };
        match item.webkit_get_as_entry().ok().flatten() {
            Some(entry) if entry.is_directory() => folders.push(entry.unchecked_into()),
            _ => files.extend(item.get_as_file().ok().flatten()),
        }
    }
    (folders, files)
}

fn batch(reader: &FileSystemDirectoryReader) -> Promise {
    Promise::new(&mut |resolve: Function, reject: Function| {
        let _ = reader.read_entries_with_callback_and_callback(&resolve, &reject);
    })
}

fn file(entry: &FileSystemFileEntry) -> Promise {
    Promise::new(&mut |resolve: Function, reject: Function| {
        entry.file_with_callback_and_callback(&resolve, &reject);
    })
}

/// Every file below the dropped folders, with its path starting at the folder's name. Files
/// that cannot be read are left out.
pub async fn folder_files(folders: Vec<FileSystemDirectoryEntry>) -> Vec<(String, File)> {
    let mut out = Vec::new();
    let mut pending: Vec<(String, FileSystemDirectoryEntry)> = folders
        .into_iter()
        .map(|folder| (folder.name(), folder))
        .collect();
    while let Some((path, folder)) = pending.pop() {
        let reader = folder.create_reader();
        // A directory reader returns its entries in batches, then an empty one.
        loop {
            let Ok(entries) = JsFuture::from(batch(&reader)).await else {
                break;
            };
            let entries: js_sys::Array = entries.unchecked_into();
            if entries.length() == 0 {
                break;
            }
            for entry in entries.iter() {
                let entry: FileSystemEntry = entry.unchecked_into();
                let below = format!("{path}/{}", entry.name());
                if entry.is_directory() {
                    pending.push((below, entry.unchecked_into()));
                } else if let Ok(found) = JsFuture::from(file(entry.unchecked_ref())).await {
                    out.push((below, found.unchecked_into()));
                }
            }
        }
    }
    out
}
